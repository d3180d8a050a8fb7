import type { ComponentProps } from "react";
import { Card } from "@/components/ui/card";

/** A card inside an admin page: the page has its `<h1>`, so the card's title is an `<h2>`. */
export function Panel(props: ComponentProps<typeof Card>) {
  return <Card level={2} {...props} />;
}
