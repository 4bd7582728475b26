/*
 * MockProcessor's local Stripe.js (docs/stripe-js.md). Our own code, written against Stripe.js's public interface:
 * load it with <script src="http://127.0.0.1:12111/v3/"></script> before the app's code, then use window.Stripe as
 * with https://js.stripe.com/v3/. It talks only to the emulator it was loaded from; card inputs live in an iframe
 * served by the emulator (/v3/elements/frame.html), which posts the card to /v1 itself, so this page never sees it.
 */
(function () {
  'use strict';
  if (window.Stripe && window.Stripe.mockProcessor) return;

  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var FRAME_PATH = '/v3/elements/frame.html';
  // The hosted Checkout page of a session (redirectToCheckout): one place to change when its address moves.
  var CHECKOUT_PATH = '/checkout/pay/';
  var USER_AGENT = 'stripe.js/mockprocessor; stripe-js-v3/mockprocessor';
  var MESSAGE_TAG = 'mockprocessor-stripe-js';

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, '');
    return (Math.random().toString(16) + Math.random().toString(16)).replace(/0\./g, '').slice(0, 32);
  }
  var telemetry = { guid: randomId(), muid: randomId(), sid: randomId() };
  var loadedAt = Date.now();

  // Stripe's form encoding: nested objects as a[b][c], arrays as a[0], nothing for undefined or null.
  function encode(value, prefix, out) {
    out = out || [];
    if (value === undefined || value === null) return out;
    if (Array.isArray(value)) {
      value.forEach(function (v, i) { encode(v, prefix + '[' + i + ']', out); });
    } else if (typeof value === 'object') {
      Object.keys(value).forEach(function (k) { encode(value[k], prefix ? prefix + '[' + k + ']' : k, out); });
    } else if (prefix) {
      out.push(encodeURIComponent(prefix) + '=' + encodeURIComponent(String(value)));
    }
    return out;
  }

  // One call to the emulator's /v1 with the publishable key in the parameters, as Stripe.js sends it. Resolves to
  // {status, body}; a network failure becomes Stripe.js's api_connection_error.
  function request(ctx, method, path, params) {
    var all = Object.assign({}, params, { key: ctx.key });
    if (ctx.apiVersion) all._stripe_version = ctx.apiVersion;
    if (ctx.stripeAccount) all._stripe_account = ctx.stripeAccount;
    var query = encode(all).join('&');
    var url = BASE + path;
    var init = { method: method, credentials: 'omit' };
    if (method === 'GET') url += '?' + query;
    else { init.headers = { 'Content-Type': 'application/x-www-form-urlencoded' }; init.body = query; }
    return fetch(url, init).then(function (res) {
      return res.json().then(function (body) { return { status: res.status, body: body }; });
    }, function () {
      return { status: 0, body: { error: { type: 'api_connection_error', message: 'Could not reach the emulator at ' + BASE + '.' } } };
    });
  }

  function withTelemetry(params, elementKind) {
    return Object.assign({
      guid: telemetry.guid, muid: telemetry.muid, sid: telemetry.sid,
      payment_user_agent: USER_AGENT + (elementKind ? '; ' + elementKind : ''),
      time_on_page: String(Date.now() - loadedAt),
      referrer: location.origin,
    }, params);
  }

  function integrationError(message) {
    var e = new Error(message);
    e.name = 'IntegrationError';
    return e;
  }

  // "pi_123_secret_abc" → {kind, id}; the secret's prefix says which intent it belongs to.
  function parseSecret(secret, expected) {
    if (typeof secret !== 'string' || secret.indexOf('_secret_') < 0) {
      throw integrationError('Invalid value for the client secret: expected a PaymentIntent or SetupIntent client_secret, got ' + JSON.stringify(secret) + '.');
    }
    var id = secret.slice(0, secret.indexOf('_secret_'));
    var kind = id.indexOf('seti_') === 0 ? 'setup_intent' : id.indexOf('pi_') === 0 ? 'payment_intent' : null;
    if (!kind || (expected && kind !== expected)) {
      throw integrationError('Invalid client secret ' + JSON.stringify(secret) + (expected ? ': expected a ' + expected + ' secret.' : '.'));
    }
    return { kind: kind, id: id, secret: secret };
  }

  var RESULT_KEY = { payment_intent: 'paymentIntent', setup_intent: 'setupIntent' };
  var LAST_ERROR = { payment_intent: 'last_payment_error', setup_intent: 'last_setup_error' };
  var INTENT_PATH = { payment_intent: '/v1/payment_intents/', setup_intent: '/v1/setup_intents/' };

  function retrieveIntent(ctx, intent) {
    return request(ctx, 'GET', INTENT_PATH[intent.kind] + encodeURIComponent(intent.id), { client_secret: intent.secret });
  }

  // ---- 3-D Secure: the emulator's challenge page in a modal iframe over the page ----
  function challengeUrl(obj) {
    var action = obj.next_action || {};
    var url = (action.use_stripe_sdk && action.use_stripe_sdk.stripe_js) || (action.redirect_to_url && action.redirect_to_url.url);
    if (!url) return null;
    return url + (url.indexOf('?') < 0 ? '?' : '&') + 'embedded=1';
  }

  // Resolves with the intent once the customer completed or failed the challenge: every page the modal's iframe loads
  // after the first is an answer to the challenge form, so the intent is read again until it left requires_action.
  function runChallenge(ctx, intent, obj) {
    var url = challengeUrl(obj);
    if (!url) return Promise.resolve(obj);
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('data-mockprocessor', 'three-d-secure');
      overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(26,31,54,.55);display:flex;align-items:center;justify-content:center;';
      var frame = document.createElement('iframe');
      frame.name = '__mockStripeChallengeFrame';
      frame.title = '3-D Secure authentication';
      frame.style.cssText = 'width:min(460px,94vw);height:min(560px,90vh);border:0;border-radius:10px;background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.35);';
      var loads = 0;
      frame.addEventListener('load', function () {
        loads += 1;
        if (loads < 2) return;
        retrieveIntent(ctx, intent).then(function (r) {
          if (r.body && r.body.status && r.body.status !== 'requires_action') {
            overlay.remove();
            resolve(r.body);
          }
        });
      });
      frame.src = url;
      overlay.appendChild(frame);
      document.body.appendChild(overlay);
    });
  }

  // A confirm's or retrieve's answer as Stripe.js hands it to the page: the intent, or {error} with the intent attached.
  function settle(ctx, intent, response, handleActions) {
    var body = response.body || {};
    if (body.error) return Promise.resolve({ error: body.error });
    var next = handleActions && body.status === 'requires_action' ? runChallenge(ctx, intent, body) : Promise.resolve(body);
    return next.then(function (obj) {
      var lastError = obj[LAST_ERROR[intent.kind]];
      if (obj.status === 'requires_payment_method' && lastError) {
        var error = Object.assign({}, lastError);
        error[intent.kind] = obj;
        return { error: error };
      }
      var result = {};
      result[RESULT_KEY[intent.kind]] = obj;
      return result;
    });
  }

  function returnTo(returnUrl, intent, obj) {
    var u = new URL(returnUrl, location.href);
    u.searchParams.set(intent.kind, intent.id);
    u.searchParams.set(intent.kind + '_client_secret', intent.secret);
    u.searchParams.set('redirect_status', obj.status === 'succeeded' || obj.status === 'processing' || obj.status === 'requires_capture' ? 'succeeded' : 'failed');
    return u.toString();
  }

  // ---- Elements ----
  var frames = {};      // frame id → element
  var frameCount = 0;

  window.addEventListener('message', function (event) {
    if (event.origin !== BASE) return;
    var data = event.data;
    if (!data || data.tag !== MESSAGE_TAG || !frames[data.frame]) return;
    frames[data.frame]._receive(data);
  });

  function Element(group, type, options) {
    var id = String(++frameCount);
    var handlers = {};
    var pending = {};
    var calls = 0;
    var iframe = null;
    var container = null;
    var readyResolve;
    var ready = new Promise(function (r) { readyResolve = r; });
    var self = this;
    options = options || {};

    function emit(name, payload) {
      (handlers[name] || []).slice().forEach(function (h) { h(payload); });
    }
    function post(message) {
      return ready.then(function () {
        iframe.contentWindow.postMessage(Object.assign({ tag: MESSAGE_TAG, frame: id }, message), BASE);
      });
    }

    this._type = type;
    this._call = function (command, payload) {
      if (!iframe) return Promise.reject(integrationError('The ' + type + ' Element is not mounted: call element.mount() first.'));
      var callId = String(++calls);
      return new Promise(function (resolve) {
        pending[callId] = resolve;
        post({ command: command, call: callId, payload: payload });
      });
    };
    this._receive = function (data) {
      if (data.event === 'ready') { readyResolve(); emit('ready', { elementType: type }); return; }
      if (data.event === 'resize') { if (iframe) iframe.style.height = data.height + 'px'; return; }
      if (data.event) {
        if (data.event === 'focus') container && container.classList.add('StripeElement--focus');
        if (data.event === 'blur') container && container.classList.remove('StripeElement--focus');
        if (data.event === 'change' && container) {
          container.classList.toggle('StripeElement--empty', !!data.payload.empty);
          container.classList.toggle('StripeElement--complete', !!data.payload.complete);
          container.classList.toggle('StripeElement--invalid', !!data.payload.error);
        }
        emit(data.event, Object.assign({ elementType: type }, data.payload));
        return;
      }
      if (data.call && pending[data.call]) { pending[data.call](data.result); delete pending[data.call]; }
    };

    this.mount = function (target) {
      var el = typeof target === 'string' ? document.querySelector(target) : target;
      if (!el) throw integrationError('mount(): no element matches ' + JSON.stringify(target) + '.');
      if (iframe) throw integrationError('This Element is already mounted; unmount() it first.');
      container = el;
      el.classList.add('StripeElement', 'StripeElement--empty');
      var query = new URLSearchParams({
        type: type, frame: id, origin: location.origin, key: group._ctx.key,
        options: JSON.stringify({ style: options.style, hidePostalCode: options.hidePostalCode, disabled: options.disabled, appearance: group._appearance }),
      });
      if (group._ctx.apiVersion) query.set('apiVersion', group._ctx.apiVersion);
      if (group._ctx.stripeAccount) query.set('stripeAccount', group._ctx.stripeAccount);
      iframe = document.createElement('iframe');
      iframe.name = '__privateStripeFrame' + id;
      iframe.title = type === 'payment' ? 'Secure payment input frame' : 'Secure card payment input frame';
      iframe.setAttribute('frameborder', '0');
      iframe.setAttribute('allowtransparency', 'true');
      iframe.setAttribute('scrolling', 'no');
      iframe.style.cssText = 'border:none;margin:0;padding:0;width:100%;min-width:100%;overflow:hidden;display:block;height:' + (type === 'payment' ? 190 : 44) + 'px;';
      iframe.src = BASE + FRAME_PATH + '?' + query.toString();
      frames[id] = self;
      el.appendChild(iframe);
    };
    this.unmount = function () {
      if (iframe) iframe.remove();
      if (container) container.classList.remove('StripeElement', 'StripeElement--empty', 'StripeElement--complete', 'StripeElement--invalid', 'StripeElement--focus');
      iframe = null;
      container = null;
      ready = new Promise(function (r) { readyResolve = r; });
    };
    this.destroy = function () {
      self.unmount();
      delete frames[id];
      delete group._elements[type];
      handlers = {};
    };
    this.on = function (name, handler) { (handlers[name] = handlers[name] || []).push(handler); return self; };
    this.addEventListener = this.on;
    this.once = function (name, handler) {
      function once(e) { self.off(name, once); handler(e); }
      return self.on(name, once);
    };
    this.off = function (name, handler) {
      if (!handler) delete handlers[name];
      else handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
      return self;
    };
    this.removeEventListener = this.off;
    this.focus = function () { post({ command: 'focus' }); return self; };
    this.blur = function () { post({ command: 'blur' }); return self; };
    this.clear = function () { post({ command: 'clear' }); return self; };
    this.update = function (next) { Object.assign(options, next); post({ command: 'update', payload: next }); return self; };
  }

  function Elements(ctx, options) {
    options = options || {};
    var group = this;
    this._ctx = ctx;
    this._clientSecret = options.clientSecret || null;
    this._appearance = options.appearance || null;
    this._elements = {};
    this.create = function (type, elementOptions) {
      if (type !== 'card' && type !== 'payment') {
        throw integrationError('MockProcessor\'s Stripe.js emulates the "card" and "payment" Elements only, not "' + type + '".');
      }
      if (group._elements[type]) throw integrationError('Can only create one Element of type ' + type + '.');
      var element = new Element(group, type, elementOptions);
      group._elements[type] = element;
      return element;
    };
    this.getElement = function (type) { return group._elements[type] || null; };
    this.update = function (next) {
      if (next && next.appearance) group._appearance = next.appearance;
      if (next && next.clientSecret) group._clientSecret = next.clientSecret;
      return group;
    };
    this.fetchUpdates = function () { return Promise.resolve({}); };
    // Validates the mounted Element before a deferred-intent confirmation, as Stripe.js's elements.submit() does.
    this.submit = function () {
      var element = group._input();
      if (!element) return Promise.reject(integrationError('elements.submit(): no card or payment Element is mounted.'));
      return element._call('validate', {}).then(function (r) { return r.error ? { error: r.error } : {}; });
    };
    this._input = function () { return group._elements.payment || group._elements.card || null; };
  }

  // ---- Stripe(publishableKey, options) ----
  function Stripe(key, options) {
    if (typeof key !== 'string' || key.indexOf('pk_') !== 0) {
      throw integrationError('Please call Stripe() with your publishable key (pk_test_...); got ' + JSON.stringify(key) + '.');
    }
    options = options || {};
    var ctx = { key: key, apiVersion: options.apiVersion || null, stripeAccount: options.stripeAccount || null };
    var stripe = {};

    // The frame confirms with the card it holds; the page confirms with a saved payment method or none.
    function confirmIntent(intent, element, params, elementKind, handleActions) {
      var sent = element
        ? element._call('confirm', { path: INTENT_PATH[intent.kind] + intent.id + '/confirm', clientSecret: intent.secret, params: params, elementKind: elementKind })
        : request(ctx, 'POST', INTENT_PATH[intent.kind] + encodeURIComponent(intent.id) + '/confirm',
          Object.assign({ client_secret: intent.secret, use_stripe_sdk: 'true' }, params));
      return sent.then(function (response) {
        if (response.error) return { error: response.error };   // the frame's own validation_error
        return settle(ctx, intent, response, handleActions);
      });
    }

    // confirmCardPayment / confirmCardSetup: {payment_method: {card: element, billing_details} | 'pm_...'}.
    function confirmCard(kind, clientSecret, data, opts) {
      var intent;
      try { intent = parseSecret(clientSecret, kind); } catch (e) { return Promise.reject(e); }
      data = Object.assign({}, data);
      var pm = data.payment_method;
      delete data.payment_method;
      var handleActions = !opts || opts.handleActions !== false;
      if (pm && typeof pm === 'object') {
        var element = pm.card;
        if (!element || !element._call) return Promise.reject(integrationError('payment_method.card must be a mounted card Element.'));
        var pmData = Object.assign({}, pm);
        delete pmData.card;
        return confirmIntent(intent, element, Object.assign(data, { payment_method_data: pmData }), 'card-element', handleActions);
      }
      if (typeof pm === 'string') data.payment_method = pm;
      return confirmIntent(intent, null, Object.assign({ expected_payment_method_type: 'card' }, data), null, handleActions);
    }

    // confirmPayment / confirmSetup with the Payment (or card) Element of an Elements group.
    function confirmWithElements(kind, args) {
      args = args || {};
      var group = args.elements;
      var confirmParams = Object.assign({}, args.confirmParams);
      var redirect = args.redirect || 'always';
      var intent;
      try {
        intent = parseSecret(args.clientSecret || (group && group._clientSecret), kind);
      } catch (e) { return Promise.reject(e); }
      if (redirect !== 'if_required' && !confirmParams.return_url) {
        return Promise.reject(integrationError('confirmParams.return_url is required unless redirect: \'if_required\' is passed.'));
      }
      var element = group ? group._input() : null;
      var sent;
      if (typeof confirmParams.payment_method === 'string' || !element) {
        sent = confirmIntent(intent, null, confirmParams, null, true);
      } else {
        sent = confirmIntent(intent, element, confirmParams, element._type === 'payment' ? 'payment-element' : 'card-element', true);
      }
      return sent.then(function (result) {
        var obj = result[RESULT_KEY[kind]];
        if (result.error || redirect === 'if_required' || !obj) return result;
        // Success with redirect 'always': Stripe.js leaves the page for return_url and the promise never settles.
        location.assign(returnTo(confirmParams.return_url, intent, obj));
        return new Promise(function () {});
      });
    }

    function elementOf(args) {
      if (args.elements) return args.elements._input();
      return args.card || args.element || null;
    }

    stripe.elements = function (opts) { return new Elements(ctx, opts); };

    stripe.confirmCardPayment = function (clientSecret, data, opts) { return confirmCard('payment_intent', clientSecret, data, opts); };
    stripe.confirmCardSetup = function (clientSecret, data, opts) { return confirmCard('setup_intent', clientSecret, data, opts); };
    stripe.confirmPayment = function (args) { return confirmWithElements('payment_intent', args); };
    stripe.confirmSetup = function (args) { return confirmWithElements('setup_intent', args); };

    stripe.createPaymentMethod = function (args) {
      args = args || {};
      var element = elementOf(args);
      if (!element) return Promise.reject(integrationError('createPaymentMethod needs a card Element (card) or an Elements group (elements).'));
      var params = Object.assign({}, args.params);
      if (args.billing_details) params.billing_details = args.billing_details;
      if (args.metadata) params.metadata = args.metadata;
      return element._call('createPaymentMethod', { params: params, elementKind: element._type === 'payment' ? 'payment-element' : 'card-element' })
        .then(function (r) { return r.error ? { error: r.error } : r.body.error ? { error: r.body.error } : { paymentMethod: r.body }; });
    };

    stripe.createConfirmationToken = function (args) {
      args = args || {};
      var element = elementOf(args);
      if (!element) return Promise.reject(integrationError('createConfirmationToken needs an Elements group (elements).'));
      return element._call('createConfirmationToken', { params: Object.assign({}, args.params), elementKind: element._type === 'payment' ? 'payment-element' : 'card-element' })
        .then(function (r) { return r.error ? { error: r.error } : r.body.error ? { error: r.body.error } : { confirmationToken: r.body }; });
    };

    function retrieve(kind) {
      return function (clientSecret) {
        var intent;
        try { intent = parseSecret(clientSecret, kind); } catch (e) { return Promise.reject(e); }
        return retrieveIntent(ctx, intent).then(function (r) {
          if (r.body.error) return { error: r.body.error };
          var result = {};
          result[RESULT_KEY[kind]] = r.body;
          return result;
        });
      };
    }
    stripe.retrievePaymentIntent = retrieve('payment_intent');
    stripe.retrieveSetupIntent = retrieve('setup_intent');

    // The next action of an intent confirmed on the server (3-D Secure), then the intent as it stands.
    function handleAction(clientSecret, kind) {
      var intent;
      try { intent = parseSecret(clientSecret, kind); } catch (e) { return Promise.reject(e); }
      return retrieveIntent(ctx, intent).then(function (r) { return settle(ctx, intent, r, true); });
    }
    stripe.handleNextAction = function (args) { return handleAction((args || {}).clientSecret, null); };
    stripe.handleCardAction = function (clientSecret) { return handleAction(clientSecret, 'payment_intent'); };
    stripe.handleCardSetup = function (clientSecret, element, data) { return stripe.confirmCardSetup(clientSecret, Object.assign({ payment_method: { card: element } }, data)); };

    stripe.redirectToCheckout = function (args) {
      var sessionId = (args || {}).sessionId;
      if (typeof sessionId !== 'string' || sessionId.indexOf('cs_') !== 0) {
        return Promise.resolve({ error: { type: 'invalid_request_error', message: 'redirectToCheckout needs the sessionId (cs_...) of a Checkout Session.' } });
      }
      location.assign(BASE + CHECKOUT_PATH + encodeURIComponent(sessionId));
      return new Promise(function () {});
    };

    stripe.registerAppInfo = function () {};
    stripe._mockProcessor = { base: BASE };
    return stripe;
  }

  Stripe.mockProcessor = true;
  Stripe.version = 3;
  // Shared with the Elements frame, which loads this file too.
  Stripe.__internal = {
    base: BASE, tag: MESSAGE_TAG, encode: encode, request: request, withTelemetry: withTelemetry,
  };
  window.Stripe = Stripe;
})();
