/** What a dashboard action did, shown on the page it redirects to (`?done=…`): fixed texts, nothing echoed from the URL. */
const NOTICES = {
  redeploy: 'Redeploying: the new deployment has started; its build log streams below.',
  rollback: 'Rolling back: the earlier image is starting (nothing is rebuilt); follow it below.',
  'settings-redeploy': 'Settings saved. The running demo only sees them in a new deployment, which has started: follow it below.',
  'settings-saved': 'Settings saved. Nothing needed a redeployment (the idle timeout applies at once).',
  'settings-unchanged': 'Nothing to save: the settings are as they were.',
  deleted: 'The project was deleted, with its containers and images.',
} as const;

export type NoticeKind = keyof typeof NOTICES;

export function noticeKind(value: string | undefined): NoticeKind | null {
  return value !== undefined && Object.hasOwn(NOTICES, value) ? (value as NoticeKind) : null;
}

export function Notice({ kind }: { readonly kind: NoticeKind | null }) {
  if (kind === null) return null;
  return (
    <p class="notice" id="notice" role="status" data-notice={kind}>
      {NOTICES[kind]}
    </p>
  );
}
