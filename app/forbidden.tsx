import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md text-center" data-testid="forbidden">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-bold">You don&apos;t have access to this page</h1>
      <p className="mt-2 text-slate-600">This area is for administrators.</p>
      <Link href="/account" className="mt-6 inline-block font-medium text-indigo-600">
        Back to your account
      </Link>
    </div>
  );
}
