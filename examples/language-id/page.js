// GET /: a form a person can use. URLs are relative so the page also works under a path prefix
// (Portico's /p/{label}/ endpoints).
export const page = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Language ID (CLD3)</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
  textarea { width: 100%; box-sizing: border-box; font: inherit; padding: .5rem; }
  button { font: inherit; padding: .3rem .9rem; margin: .4rem .4rem 0 0; }
  #result { margin-top: 1.2rem; padding: .8rem 1rem; border-radius: 6px; background: #f6f8fa; min-height: 1.5rem; }
  #result strong { font-size: 1.3rem; }
  .bar { height: .5rem; background: #d0d7de; border-radius: 3px; margin-top: .4rem; }
  .bar span { display: block; height: 100%; background: #2da44e; border-radius: 3px; }
  .muted { color: #59636e; font-size: .9rem; }
</style>
<h1>🌐 Which language is this?</h1>
<p class="muted">Google's CLD3 neural network, run on the CPU from the <code>cld3-asm</code> package. API: <a href="openapi.json">openapi.json</a>.</p>
<form id="form" method="post" action="predict">
  <textarea id="text" name="text" rows="4" required>Le chat dort sur le canapé depuis ce matin.</textarea>
  <button type="submit">Identify</button>
  <span class="muted">or try:</span>
  <button type="button" data-sample="The weather is lovely today, so we are going for a long walk in the park.">English</button>
  <button type="button" data-sample="Ich habe heute leider keine Zeit, weil ich noch arbeiten muss.">German</button>
  <button type="button" data-sample="今日はとても良い天気なので、公園を散歩しましょう。">Japanese</button>
  <button type="button" data-sample="Hoy hace muy buen tiempo, así que vamos a pasear por el parque.">Spanish</button>
</form>
<div id="result" aria-live="polite"></div>
<script>
  const form = document.getElementById('form');
  const text = document.getElementById('text');
  const result = document.getElementById('result');
  for (const button of document.querySelectorAll('[data-sample]')) {
    button.addEventListener('click', () => { text.value = button.dataset.sample; form.requestSubmit(); });
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.textContent = 'Thinking…';
    try {
      const response = await fetch('predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: text.value }) });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || 'HTTP ' + response.status);
      const percent = (body.probability * 100).toFixed(1);
      result.innerHTML = '<strong></strong> <span class="muted"></span><div class="bar"><span></span></div>';
      result.querySelector('strong').textContent = body.name + ' (' + body.language + ')';
      result.querySelector('.muted').textContent = percent + '%' + (body.reliable ? '' : ', not reliable');
      result.querySelector('.bar span').style.width = percent + '%';
    } catch (error) {
      result.textContent = 'Error: ' + error.message;
    }
  });
</script>
</html>
`;
