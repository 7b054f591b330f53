/**
 * The variables that tell an app, and the frameworks ML demos are made with, where to listen:
 * `PORT`, Gradio's `GRADIO_SERVER_NAME`/`GRADIO_SERVER_PORT` (Gradio binds 127.0.0.1 unless told
 * otherwise) and Streamlit's `STREAMLIT_SERVER_PORT`/`STREAMLIT_SERVER_ADDRESS`. Each is set for
 * the declared port unless the project sets it itself (env or secrets): its own value wins.
 */
export function withPortConventions(env: Readonly<Record<string, string>>, port: number): Record<string, string> {
  const conventions: Record<string, string> = {
    PORT: String(port),
    GRADIO_SERVER_NAME: '0.0.0.0',
    GRADIO_SERVER_PORT: String(port),
    STREAMLIT_SERVER_PORT: String(port),
    STREAMLIT_SERVER_ADDRESS: '0.0.0.0',
  };
  return { ...conventions, ...env };
}
