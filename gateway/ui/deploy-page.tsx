import { DeployForm } from './deploy-form.tsx';
import { Layout } from './layout.tsx';

/** `/deploy?repo=…&branch=…`: the "Deploy to Portico" link lands here with the form filled in. */
export function DeployPage({ repo, branch }: { readonly repo: string; readonly branch: string }) {
  return (
    <Layout title="Deploy">
      <h1>Deploy to Portico</h1>
      <p class="muted">Portico reads the repository's Dockerfile, builds it and serves it at its own URL.</p>
      <DeployForm repo={repo} branch={branch} />
    </Layout>
  );
}
