/** A short, honest list of what a page will do once its procedures exist. No mock data, no disabled fake controls. */
export function PlannedFeatures({ items }: { items: string[] }) {
  return (
    <section className="mt-6 rounded-xl border border-slate-200 bg-white px-5 py-4" data-testid="planned-features">
      <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Planned on this page</h2>
      <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-600">
        {items.map((i) => (
          <li key={i}>{i}</li>
        ))}
      </ul>
    </section>
  );
}
