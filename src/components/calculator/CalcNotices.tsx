/** Settings that were not understood (a link, a file) and load failures, until dismissed. */
import { capNotices } from "../../lib/calculator/notices.ts";

export function CalcNotices(p: {
  idPrefix: string;
  notices: string[];
  loadError: string | null;
  onDismiss: () => void;
}) {
  if (p.notices.length === 0 && !p.loadError) return null;
  return (
    <div class="calc-notices" role="alert" id={`${p.idPrefix}-notices`}>
      <p>
        <strong>Some settings were not understood.</strong>
      </p>
      <ul>
        {p.loadError && <li>{p.loadError}</li>}
        {capNotices(p.notices).map((n, i) => (
          <li key={i}>{n}</li>
        ))}
      </ul>
      <button type="button" class="calc-btn" onClick={p.onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
