/**
 * Starts a deployment through the REST API (so the same validation and auth apply), then opens
 * the project page. The API token, needed only when the gateway sets PORTICO_TOKEN, is kept in
 * this browser's localStorage.
 */
const DEPLOY_SCRIPT = `(() => {
  const form = document.getElementById('deploy-form');
  const { repo, branch, token } = form.elements;
  const button = form.querySelector('button');
  const problem = document.getElementById('deploy-error');
  token.value = localStorage.getItem('portico.token') || '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.hidden = true;
    button.disabled = true;
    const secret = token.value.trim();
    if (secret) localStorage.setItem('portico.token', secret); else localStorage.removeItem('portico.token');
    const body = { repo: repo.value.trim() };
    if (branch.value.trim()) body.branch = branch.value.trim();
    const headers = { 'content-type': 'application/json' };
    if (secret) headers.authorization = 'Bearer ' + secret;
    try {
      const response = await fetch('/api/projects', { method: 'POST', headers, body: JSON.stringify(body) });
      const answer = await response.json().catch(() => null);
      if (!response.ok) throw new Error((answer && answer.error && answer.error.message) || 'the API answered ' + response.status);
      location.assign('/projects/' + encodeURIComponent(answer.id));
    } catch (error) {
      problem.textContent = 'Could not deploy: ' + error.message;
      problem.hidden = false;
      button.disabled = false;
    }
  });
})();`;

/** The deploy form, optionally pre-filled (the `/deploy?repo=…&branch=…` link). */
export function DeployForm({ repo = '', branch = '' }: { readonly repo?: string; readonly branch?: string }) {
  return (
    <form id="deploy-form" class="card">
      <h2>Deploy a repository</h2>
      <label>
        Repository
        <input name="repo" required value={repo} placeholder="owner/repo, github.com/owner/repo or a git URL" />
      </label>
      <label>
        Branch
        <input name="branch" value={branch} placeholder="the repository's default branch" />
      </label>
      <label>
        API token <span class="muted">(only when the gateway sets PORTICO_TOKEN; kept in this browser)</span>
        <input name="token" type="password" autocomplete="off" />
      </label>
      <button type="submit">Deploy</button>
      <p id="deploy-error" class="error" role="alert" hidden></p>
      <script dangerouslySetInnerHTML={{ __html: DEPLOY_SCRIPT }} />
    </form>
  );
}
