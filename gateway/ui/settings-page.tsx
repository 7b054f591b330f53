import type { Project } from '../domain/types.ts';
import { TOKEN_SCRIPT, TokenField } from './action-form.tsx';
import { Layout } from './layout.tsx';
import { Notice, type NoticeKind } from './notice.tsx';
import { titleOf } from './project-facts.ts';
import { ProjectTabs } from './project-tabs.tsx';
import type { SettingsDraft } from './settings-form.ts';

const GPU_CHOICES = ['auto', 'prefer', 'off', '1', '2', '4', '8'];

export interface SettingsPageProps {
  readonly project: Project;
  /** The values to show: the project's own, or what was sent when saving failed. */
  readonly draft: SettingsDraft;
  readonly tokenRequired: boolean;
  /** Why saving failed, shown above the form. */
  readonly error?: string | null;
  readonly notice?: NoticeKind | null;
}

/** `/projects/:id/settings`: every per-project setting in one form that saves through the API's validation, and redeploys when needed. */
export function SettingsPage({ project, draft, tokenRequired, error = null, notice = null }: SettingsPageProps) {
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const secretNames = Object.keys(project.secrets).sort();
  const gpuChoices = GPU_CHOICES.includes(draft.gpu) ? GPU_CHOICES : [...GPU_CHOICES, draft.gpu];
  return (
    <Layout title={`${titleOf(project)} · settings`}>
      <h1>{project.id}</h1>
      <ProjectTabs projectId={project.id} current="settings" />
      <Notice kind={notice} />
      {error !== null && (
        <p class="problem" id="settings-error" role="alert">
          {`Not saved: ${error}`}
        </p>
      )}
      <form method="post" action={`${base}/settings`} class="settings" id="settings-form">
        <fieldset>
          <legend>Environment</legend>
          <label>
            Variables <span class="hint">one NAME=value a line; a variable left out is removed</span>
            <textarea name="env" rows={Math.max(4, draft.env.split('\n').length + 1)} spellcheck={false}>
              {draft.env}
            </textarea>
          </label>
        </fieldset>
        <fieldset>
          <legend>Secrets</legend>
          <p class="hint">Passed to the demo as environment variables, never written to a log; their values are never shown again.</p>
          {secretNames.length === 0 ? (
            <p class="muted" id="no-secrets">
              No secret set.
            </p>
          ) : (
            <ul class="secrets" id="secret-names">
              {secretNames.map((name) => (
                <li>
                  <code>{name}</code>
                  <label class="inline">
                    <input type="checkbox" name="removeSecret" value={name} /> remove
                  </label>
                </li>
              ))}
            </ul>
          )}
          <label>
            Set a secret: name
            <input name="secretName" autocomplete="off" placeholder="HF_TOKEN" />
          </label>
          <label>
            value
            <input name="secretValue" type="password" autocomplete="new-password" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Running</legend>
          <label>
            Idle timeout, seconds <span class="hint">without a request this long, the demo is paused, then stopped; it wakes on the next one</span>
            <input name="idleTimeoutSeconds" type="number" min="1" step="1" required value={draft.idleTimeoutSeconds} />
          </label>
          <NumberSetting field="startupTimeoutSeconds" label="Startup timeout, seconds" hint="how long a new container may take to answer (models that load for minutes); empty: the gateway's default" value={draft.startupTimeoutSeconds} />
          <NumberSetting field="port" label="Port" hint="the port the app listens on inside its container; empty: found from the Dockerfile, front matter and image" value={draft.port} />
          <label>
            GPU <span class="hint">auto follows the Dockerfile; prefer falls back to CPU; off never; a number forces that many</span>
            <select name="gpu">
              {gpuChoices.map((choice) => (
                <option value={choice} selected={choice === draft.gpu}>
                  {choice}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>Build</legend>
          <TextSetting field="dockerfile" label="Dockerfile path" hint="relative to the repository root" value={draft.dockerfile} />
          <TextSetting field="context" label="Build context" hint="the directory sent to the build, relative to the repository root" value={draft.context} />
        </fieldset>
        <TokenField required={tokenRequired} />
        <p class="hint">Changing the environment, secrets, GPU, port or build redeploys the demo; the idle timeout applies at once.</p>
        <button type="submit">Save</button>
      </form>
      <script dangerouslySetInnerHTML={{ __html: TOKEN_SCRIPT }} />
    </Layout>
  );
}

function NumberSetting({ field, label, hint, value }: { readonly field: string; readonly label: string; readonly hint: string; readonly value: string }) {
  return (
    <label>
      {label} <span class="hint">{hint}</span>
      <input name={field} type="number" min="1" step="1" value={value} />
    </label>
  );
}

function TextSetting({ field, label, hint, value }: { readonly field: string; readonly label: string; readonly hint: string; readonly value: string }) {
  return (
    <label>
      {label} <span class="hint">{hint}</span>
      <input name={field} value={value} />
    </label>
  );
}
