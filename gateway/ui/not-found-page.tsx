import { Layout } from './layout.tsx';

/** The dashboard's 404: says what was missing and where to look instead. */
export function NotFoundPage({ what }: { readonly what: string }) {
  return (
    <Layout title="Not found">
      <h1>Not found</h1>
      <p id="not-found">{`${what} does not exist (it may have been removed).`}</p>
      <p>
        <a href="/">See every project</a> or <a href="/deploy">deploy a repository</a>.
      </p>
    </Layout>
  );
}
