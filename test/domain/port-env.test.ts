import { describe, expect, it } from 'vitest';
import { withPortConventions } from '../../gateway/domain/port-env.ts';

describe('withPortConventions', () => {
  it('tells the app, Gradio and Streamlit the declared port and to listen on all addresses', () => {
    expect(withPortConventions({ MODEL: 'gpt2' }, 7860)).toStrictEqual({
      PORT: '7860',
      GRADIO_SERVER_NAME: '0.0.0.0',
      GRADIO_SERVER_PORT: '7860',
      STREAMLIT_SERVER_PORT: '7860',
      STREAMLIT_SERVER_ADDRESS: '0.0.0.0',
      MODEL: 'gpt2',
    });
  });

  it("keeps the project's own values, an empty one included", () => {
    expect(withPortConventions({ PORT: '9000', GRADIO_SERVER_NAME: '' }, 7860)).toMatchObject({ PORT: '9000', GRADIO_SERVER_NAME: '', GRADIO_SERVER_PORT: '7860' });
  });
});
