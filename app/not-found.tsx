import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="max-w-md text-center">
        <p className="text-sm font-medium text-slate-500">404</p>
        <h1 className="mt-1 text-xl font-semibold text-slate-900">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">
          The address does not match any page of Delegraph. Start from the overview and search for a chain, event or principal.
        </p>
        <Link href="/" className="btn-secondary mt-4 inline-flex">
          Go to the overview
        </Link>
      </div>
    </main>
  );
}
