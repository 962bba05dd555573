// Keeps the customer card current: the server pushes the card again, already
// rendered and escaped (views.mjs customerFragment), at every change.
const card = document.getElementById('customer');
const live = document.getElementById('live');
if (card && live && 'EventSource' in window) {
  const source = new EventSource(`/customers/${encodeURIComponent(card.dataset.customerId)}/events`);
  let connected = false;
  source.addEventListener('open', () => {
    connected = true;
    live.textContent = 'Live: changes made in Accord show here as they arrive.';
  });
  source.addEventListener('customer', (event) => {
    const { stamp, html } = JSON.parse(event.data);
    // The card the page already shows (the first message after each connection) is not announced again.
    if (stamp === card.dataset.stamp) return;
    card.dataset.stamp = stamp;
    card.innerHTML = html;
  });
  source.addEventListener('error', () => {
    if (connected) live.textContent = 'Live updates interrupted: reconnecting…';
    connected = false;
  });
}
