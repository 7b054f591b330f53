import type { Project } from '../domain/types.ts';
import { TOKEN_SCRIPT, TokenField } from './action-form.tsx';
import { Layout } from './layout.tsx';
import { titleOf } from './project-facts.ts';

/** `/projects/:id/delete`: the confirmation step (type the project's name), which works without scripts. */
export function DeletePage({ project, tokenRequired, error = null }: { readonly project: Project; readonly tokenRequired: boolean; readonly error?: string | null }) {
  const base = `/projects/${encodeURIComponent(project.id)}`;
  return (
    <Layout title={`Delete ${titleOf(project)}`}>
      <h1>{`Delete ${project.id}?`}</h1>
      <p>This stops and removes the demo's containers, its images and its deployment history. Its endpoint stops answering. The repository is not touched.</p>
      {error !== null && (
        <p class="problem" id="delete-error" role="alert">
          {error}
        </p>
      )}
      <form method="post" action={`${base}/delete`} id="delete-form" class="card">
        <label>
          Type <code>{project.id}</code> to confirm
          <input name="confirm" autocomplete="off" required />
        </label>
        <TokenField required={tokenRequired} />
        <button type="submit" class="danger">
          Delete this project
        </button>{' '}
        <a href={base}>Keep it</a>
      </form>
      <script dangerouslySetInnerHTML={{ __html: TOKEN_SCRIPT }} />
    </Layout>
  );
}
