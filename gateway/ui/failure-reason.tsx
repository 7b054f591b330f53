import { stripAnsi } from './ansi.ts';

/** A failed deployment's reason, as the project page and the deployment page show it. */
export function FailureReason({ error }: { readonly error: string | null }) {
  if (error === null) return null;
  return (
    <div class="card">
      <strong>Why it failed</strong>
      <pre class="error" id="deployment-error">
        {stripAnsi(error)}
      </pre>
    </div>
  );
}
