import Link from "next/link";

/** One labelled figure of a summary row (a `<dl>`): label, value (a link when `href`), an optional hint below. */
export function Stat({ label, value, hint, testId, href }: { label: string; value: string; hint?: string; testId: string; href?: string }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-mono text-base font-semibold text-slate-900" data-testid={testId}>
        {href ? (
          <Link href={href} className="underline">
            {value}
          </Link>
        ) : (
          value
        )}
      </dd>
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
    </div>
  );
}
