import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-bold">Page not found</h1>
      <Link href="/" className="mt-6 inline-block font-medium text-indigo-600">
        Go home
      </Link>
    </div>
  );
}
