import Link from "next/link";

export default function HomePage() {
  return (
    <div className="mx-auto max-w-2xl text-center">
      <h1 className="text-3xl font-bold tracking-tight">Background work, done right</h1>
      <p className="mt-4 text-slate-600">
        Create an account in seconds. The slow parts — your welcome email and avatar — happen in the background,
        with retries, and you can watch them finish.
      </p>
      <div className="mt-8 flex justify-center gap-4">
        <Link href="/signup" className="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500">
          Create an account
        </Link>
        <Link href="/login" className="rounded-lg px-4 py-2 font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-white">
          Log in
        </Link>
      </div>
    </div>
  );
}
