/** A thin client of the REST API for the CLI. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiUnreachableError extends Error {
  override name = 'ApiUnreachableError';
}

export interface ApiClient {
  readonly baseUrl: string;
  json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  text(path: string): Promise<{ text: string; headers: Headers }>;
}

/** `token` is the gateway's PORTICO_TOKEN; it is sent as a bearer token on every call. */
export function createApiClient(baseUrl: string, options: { readonly token?: string | undefined } = {}): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  async function send(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ApiUnreachableError(`cannot reach the Portico API at ${base} (${reason}); start it with \`npm start\` or set --api / PORTICO_API`);
    }
    if (!response.ok) {
      const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(response.status, payload?.error?.code ?? 'http_error', payload?.error?.message ?? `${method} ${path} answered ${response.status}`);
    }
    return response;
  }

  return {
    baseUrl: base,
    async json<T>(method: string, path: string, body?: unknown) {
      const response = await send(method, path, body);
      const parsed = response.status === 204 ? null : await response.json();
      return { status: response.status, body: parsed as T };
    },
    async text(path: string) {
      const response = await send('GET', path);
      return { text: await response.text(), headers: response.headers };
    },
  };
}
