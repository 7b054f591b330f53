import type { Child } from 'hono/jsx';

/**
 * Fills every API token field from this browser's localStorage (where the deploy form keeps it)
 * and keeps what is typed there. Without JavaScript the field is simply typed in.
 */
export const TOKEN_SCRIPT = `(() => {
  const saved = localStorage.getItem('portico.token') || '';
  for (const field of document.querySelectorAll('input[name="token"]')) {
    if (!field.value) field.value = saved;
    field.form.addEventListener('submit', () => {
      const typed = field.value.trim();
      if (typed) localStorage.setItem('portico.token', typed);
    });
  }
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
  }
})();`;

/** The API token field, shown only when the gateway needs one (PORTICO_TOKEN is set). */
export function TokenField({ required }: { readonly required: boolean }) {
  if (!required) return null;
  return (
    <label class="token">
      API token <span class="muted">(the gateway's PORTICO_TOKEN; kept in this browser)</span>
      <input name="token" type="password" autocomplete="off" required />
    </label>
  );
}

/**
 * A one-button form that POSTs to a dashboard route: works without JavaScript; the route
 * checks the token as the API does and answers with a redirect to the page that shows the result.
 */
export function ActionForm({
  action,
  label,
  tokenRequired,
  id,
  fields = {},
  confirm,
  danger = false,
}: {
  readonly action: string;
  readonly label: Child;
  readonly tokenRequired: boolean;
  readonly id?: string;
  readonly fields?: Readonly<Record<string, string>>;
  /** Asked before submitting, when scripts run. */
  readonly confirm?: string;
  readonly danger?: boolean;
}) {
  return (
    <form method="post" action={action} class="action" id={id} data-confirm={confirm}>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <TokenField required={tokenRequired} />
      <button type="submit" class={danger ? 'danger' : undefined}>
        {label}
      </button>
    </form>
  );
}
