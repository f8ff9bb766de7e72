// The Stripe Payment Element on the pay page (orders/pay.html): its keys and return URL come from the
// form's data attributes, so the page carries no inline script (Content-Security-Policy).
(function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var button = document.getElementById("pay-button");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    var result = await stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } });
    if (result.error) {
      document.getElementById("payment-message").textContent = result.error.message;
      button.disabled = false;
    }
  });
})();
