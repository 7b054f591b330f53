import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { withAws } from './aws-errors.ts';

/** The last `lines` events of one log stream, oldest first; null when the stream does not exist (yet). */
export type LogTail = (logGroup: string, logStream: string, lines: number) => Promise<string[] | null>;

/**
 * Reads the end of a CloudWatch Logs stream. The SDK client is imported on first use: only the
 * dashboard's runtime log and a failed build ask, so no other request's cold start pays for loading it.
 */
export function cloudWatchLogTail(options: { readonly region: string }): LogTail {
  let client: CloudWatchLogsClient | undefined;
  return async (logGroup, logStream, lines) => {
    const { CloudWatchLogsClient, GetLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = (client ??= new CloudWatchLogsClient({ region: options.region }));
    try {
      // startFromHead false: the newest events; they still come oldest first.
      const output = await withAws('CloudWatch Logs', () => logs.send(new GetLogEventsCommand({ logGroupName: logGroup, logStreamName: logStream, limit: lines, startFromHead: false })));
      return (output.events ?? []).map((event) => (event.message ?? '').replace(/\n$/, ''));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return null;
      throw error;
    }
  };
}
