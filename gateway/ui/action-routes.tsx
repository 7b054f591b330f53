import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { tokenMatches } from '../api/auth.ts';
import { STATUS } from '../api/error-response.ts';
import { updateProjectBody } from '../api/schemas.ts';
import { invalidInput } from '../api/validation.ts';
import { PorticoError, isPorticoError } from '../errors.ts';
import type { ProjectService } from '../services/project-service.ts';
import { DeletePage } from './delete-page.tsx';
import { Layout } from './layout.tsx';
import { type FormFields, draftFrom, draftOf, settingsPatch } from './settings-form.ts';
import { SettingsPage } from './settings-page.tsx';

export interface ActionDeps {
  readonly projects: ProjectService;
  /** SHA-256 (hex) of PORTICO_TOKEN; unset: no token needed, as for the API. */
  readonly tokenSha256: string | undefined;
}

/**
 * The dashboard's actions as plain HTML forms (no script needed): redeploy, rollback, settings,
 * delete. Each goes through the same services and validation as the REST API, needs the API
 * token when the gateway has one (a form field instead of a header), refuses cross-site posts,
 * and answers with a redirect (303) to the page that shows the outcome.
 */
export function createDashboardActions({ projects, tokenSha256 }: ActionDeps): Hono {
  const actions = new Hono();
  actions.use(csrf()); // the token is optional on a loopback-only gateway: another site's page must not post here

  const requireToken = (form: FormFields): void => {
    if (tokenSha256 === undefined) return;
    const sent = typeof form['token'] === 'string' ? form['token'].trim() : '';
    if (sent === '') throw new PorticoError('unauthorized', 'this gateway needs its API token (PORTICO_TOKEN): type it in the form\'s "API token" field');
    if (!tokenMatches(tokenSha256, sent)) throw new PorticoError('unauthorized', 'the API token typed is wrong: it must be the gateway\'s PORTICO_TOKEN');
  };
  const projectPage = (id: string, suffix = '') => `/projects/${encodeURIComponent(id)}${suffix}`;

  /** A one-button action: runs it, or shows why it could not. */
  const oneClick = (verb: string, run: (id: string, form: FormFields) => Promise<string>) =>
    actions.post(`/projects/:id/${verb}`, async (c) => {
      const id = c.req.param('id');
      const form = await c.req.parseBody({ all: true });
      try {
        requireToken(form);
        return c.redirect(await run(id, form), 303);
      } catch (error) {
        if (!isPorticoError(error)) throw error;
        return c.html(<ActionFailedPage verb={verb} message={error.message} back={projectPage(id)} />, STATUS[error.code]);
      }
    });

  oneClick('redeploy', async (id) => {
    await projects.redeploy(id);
    return projectPage(id, '?done=redeploy');
  });

  oneClick('rollback', async (id, form) => {
    const deploymentId = form['deploymentId'];
    if (typeof deploymentId !== 'string' || deploymentId === '') throw new PorticoError('invalid_input', 'say which deployment to roll back to', { field: 'deploymentId' });
    await projects.rollback(id, deploymentId);
    return projectPage(id, '?done=rollback');
  });

  actions.post('/projects/:id/delete', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody({ all: true });
    const { project } = await projects.get(id); // unknown: the app's 404
    const tokenRequired = tokenSha256 !== undefined;
    try {
      requireToken(form);
      if (form['confirm'] !== project.id) throw new PorticoError('invalid_input', `type the project's name, ${project.id}, to confirm`, { field: 'confirm' });
      await projects.remove(id);
      return c.redirect('/?done=deleted', 303);
    } catch (error) {
      if (!isPorticoError(error)) throw error;
      return c.html(<DeletePage project={project} tokenRequired={tokenRequired} error={error.message} />, STATUS[error.code]);
    }
  });

  actions.post('/projects/:id/settings', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody({ all: true });
    const { project } = await projects.get(id); // unknown: the app's 404
    try {
      requireToken(form);
      const built = settingsPatch(project, form);
      if (!built.ok) throw new PorticoError('invalid_input', built.error);
      if (Object.keys(built.patch).length === 0) return c.redirect(projectPage(id, '/settings?done=settings-unchanged'), 303);
      const parsed = updateProjectBody.safeParse(built.patch); // exactly what PATCH /api/projects/:id accepts
      if (!parsed.success) throw invalidInput(parsed.error);
      const { deployment } = await projects.update(id, parsed.data);
      return c.redirect(deployment ? projectPage(id, '?done=settings-redeploy') : projectPage(id, '/settings?done=settings-saved'), 303);
    } catch (error) {
      if (!isPorticoError(error)) throw error;
      const draft = draftFrom(form, draftOf(project));
      return c.html(<SettingsPage project={project} draft={draft} tokenRequired={tokenSha256 !== undefined} error={error.message} />, STATUS[error.code]);
    }
  });

  return actions;
}

function ActionFailedPage({ verb, message, back }: { readonly verb: string; readonly message: string; readonly back: string }) {
  return (
    <Layout title={`Could not ${verb}`}>
      <h1>{`Could not ${verb}`}</h1>
      <p class="problem" id="action-error" role="alert">
        {message}
      </p>
      <p>
        <a href={back}>Back to the project</a>
      </p>
    </Layout>
  );
}
