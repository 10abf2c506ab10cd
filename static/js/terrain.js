/* Mode terrain: what a mediator types is kept on the device (IndexedDB) and sent when the
   network allows, each entry once (a UUID made here). The referential and the coming events
   come from the API and are kept for offline use; the service worker (/terrain/sw.js) keeps
   the page itself. Without this script the page links to the ordinary field form. */
(function () {
  "use strict";

  var root = document.querySelector("[data-terrain]");
  if (!root) return;
  if (!("indexedDB" in window) || !("Promise" in window) || !("fetch" in window)) return;

  var USER = root.getAttribute("data-user-id");
  var URLS = {
    sw: root.getAttribute("data-sw-url"),
    scope: root.getAttribute("data-scope"),
    sync: root.getAttribute("data-sync-url"),
    session: root.getAttribute("data-session-url"),
    quartiers: root.getAttribute("data-quartiers-url"),
    objectifs: root.getAttribute("data-objectifs-url"),
    enjeux: root.getAttribute("data-enjeux-url"),
    evenements: root.getAttribute("data-evenements-url")
  };
  var MAX_BATCH = Math.min(parseInt(root.getAttribute("data-max-entries"), 10) || 50, 20);
  var PHOTO_MAX_BYTES = parseInt(root.getAttribute("data-photo-max-bytes"), 10) || 10485760;
  var PHOTO_LONG_SIDE = 2560;
  var RETRY_EVERY = 30000;
  var FETCH_TIMEOUT = 20000;

  var form = root.querySelector("[data-entry-form]");
  var el = {
    network: root.querySelector("[data-network]"),
    pending: root.querySelector("[data-pending-count]"),
    lastSync: root.querySelector("[data-last-sync]"),
    expired: root.querySelector("[data-session-expired]"),
    loginLink: root.querySelector("[data-login-link]"),
    syncMessage: root.querySelector("[data-sync-message]"),
    syncNow: root.querySelector("[data-sync-now]"),
    referential: root.querySelector("[data-referential-state]"),
    entries: root.querySelector("[data-entries]"),
    entriesEmpty: root.querySelector("[data-entries-empty]"),
    clearSent: root.querySelector("[data-clear-sent]"),
    formTitle: root.querySelector("[data-form-title]"),
    editing: root.querySelector("[data-editing]"),
    editingReason: root.querySelector("[data-editing-reason]"),
    cancelEdit: root.querySelector("[data-cancel-edit]"),
    formError: root.querySelector("[data-form-error]"),
    objectifs: root.querySelector("[data-objectifs]"),
    photoInput: form.querySelector("input[name=photo]"),
    photoState: root.querySelector("[data-photo-state]"),
    photoName: root.querySelector("[data-photo-name]"),
    photoRemove: root.querySelector("[data-photo-remove]")
  };

  var state = {
    online: navigator.onLine,
    sessionExpired: false,
    syncing: false,
    inFlight: {},
    entries: [],
    referential: null,
    editing: null,
    photo: null,
    photoName: "",
    lastSync: null
  };

  // --- IndexedDB ------------------------------------------------------------------------

  var dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open("participation-terrain", 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("entries")) db.createObjectStore("entries", { keyPath: "uuid" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("IndexedDB bloquée")); };
    });
    return dbPromise;
  }

  function tx(storeName, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var store = transaction.objectStore(storeName);
        var result;
        var request = work(store);
        if (request) request.onsuccess = function () { result = request.result; };
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error || new Error("abort")); };
      });
    });
  }

  function getMeta(key) { return tx("meta", "readonly", function (s) { return s.get(key); }); }
  function setMeta(key, value) { return tx("meta", "readwrite", function (s) { return s.put(value, key); }); }
  function deleteMeta(key) { return tx("meta", "readwrite", function (s) { return s.delete(key); }); }
  function allEntries() { return tx("entries", "readonly", function (s) { return s.getAll(); }); }
  function putEntry(entry) { return tx("entries", "readwrite", function (s) { return s.put(entry); }); }
  function deleteEntry(uuid) { return tx("entries", "readwrite", function (s) { return s.delete(uuid); }); }

  function draftKey() { return "draft:" + USER; }

  // --- small helpers ------------------------------------------------------------------------

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function plural(count, one, many) { return count + " " + (count > 1 ? many : one); }

  function formatTime(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    return date.toLocaleDateString("fr-FR", { day: "numeric", month: "long" }) + " à " +
      date.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " Mo";
    return Math.max(1, Math.round(bytes / 1024)) + " ko";
  }

  function fetchWithTimeout(url, options) {
    var controller = "AbortController" in window ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT) : null;
    var opts = Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {});
    if (controller) opts.signal = controller.signal;
    return fetch(url, opts).finally(function () { if (timer) clearTimeout(timer); });
  }

  function readJson(response) {
    return response.json().catch(function () { return null; });
  }

  // --- the referential and the coming events ------------------------------------------------

  function fetchAll(url) {
    var results = [];
    function page(next) {
      return fetchWithTimeout(next).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (body) {
        results = results.concat(body.results || []);
        return body.next ? page(body.next) : results;
      });
    }
    return page(url);
  }

  function isoDay(offsetDays) {
    var date = new Date(Date.now() + offsetDays * 86400000);
    var month = String(date.getMonth() + 1).padStart(2, "0");
    var day = String(date.getDate()).padStart(2, "0");
    return date.getFullYear() + "-" + month + "-" + day;
  }

  function refreshReferential() {
    var eventsUrl = URLS.evenements + "?taille=100&du=" + isoDay(-7) + "&au=" + isoDay(60);
    return Promise.all([
      fetchAll(URLS.quartiers + "?taille=100"),
      fetchAll(URLS.objectifs + "?taille=100"),
      fetchAll(eventsUrl),
      fetchAll(URLS.enjeux + "?taille=100")
    ]).then(function (parts) {
      var enjeux = {};
      parts[3].forEach(function (e) { enjeux[e.number] = e.plain_title || e.title; });
      var referential = {
        enjeux: enjeux,
        quartiers: parts[0].map(function (q) { return { slug: q.slug, name: q.name }; }),
        objectifs: parts[1].map(function (o) {
          return { id: o.id, quartier: o.quartier, enjeu: o.enjeu, label: o.operationnel || o.intercommunal, orientation: o.orientation };
        }),
        evenements: parts[2].map(function (e) {
          return { id: e.id, title: e.title, starts_at: e.starts_at, kind: e.kind, quartiers: e.quartiers, status: e.status };
        }),
        fetched_at: new Date().toISOString()
      };
      state.referential = referential;
      return setMeta("referential", referential).then(function () { renderReferential(); });
    });
  }

  function renderReferential() {
    var ref = state.referential;
    if (!ref) {
      el.referential.textContent = "Listes des quartiers et des événements pas encore chargées : il faut du réseau une première fois.";
      return;
    }
    el.referential.textContent = "Quartiers, objectifs et événements à jour du " + formatTime(ref.fetched_at) + ".";
    var quartier = form.elements.quartier;
    var evenement = form.elements.evenement;
    var keepQuartier = quartier.value || (state.pendingValues && state.pendingValues.quartier) || "";
    var keepEvenement = evenement.value || (state.pendingValues && state.pendingValues.evenement) || "";
    while (quartier.options.length > 1) quartier.remove(1);
    ref.quartiers.forEach(function (q) { quartier.add(new Option(q.name, q.slug)); });
    while (evenement.options.length > 1) evenement.remove(1);
    ref.evenements.forEach(function (e) {
      var date = new Date(e.starts_at).toLocaleDateString("fr-FR", { weekday: "short", day: "numeric", month: "long" });
      var label = e.title + " — " + date + (e.status === "annule" ? " (annulé)" : "");
      evenement.add(new Option(label, String(e.id)));
    });
    setSelect(quartier, keepQuartier);
    setSelect(evenement, keepEvenement);
    renderObjectifs(state.pendingValues ? state.pendingValues.objectifs : null);
  }

  function setSelect(select, value) {
    value = value == null ? "" : String(value);
    var found = Array.prototype.some.call(select.options, function (option) { return option.value === value; });
    if (!found && value) {
      // A value kept on the device that the current lists no longer hold: keep it visible.
      select.add(new Option(state.referential ? "(n'existe plus) " + value : value, value));
    }
    select.value = value;
  }

  function renderObjectifs(checkedIds) {
    var quartier = form.elements.quartier.value;
    var checked = {};
    (checkedIds || checkedObjectifs()).forEach(function (id) { checked[String(id)] = true; });
    var container = el.objectifs;
    container.textContent = "";
    var ref = state.referential;
    if (!quartier || !ref) {
      var hint = document.createElement("p");
      hint.className = "meta";
      hint.textContent = quartier ? "Les objectifs ne sont pas encore chargés." : "Choisissez d'abord le quartier.";
      container.appendChild(hint);
    } else {
      var groups = {};
      var order = [];
      ref.objectifs.forEach(function (o) {
        if (o.quartier !== quartier) return;
        if (!groups[o.enjeu]) { groups[o.enjeu] = []; order.push(o.enjeu); }
        groups[o.enjeu].push(o);
      });
      order.forEach(function (enjeu) {
        var details = document.createElement("details");
        details.className = "enjeu";
        var summary = document.createElement("summary");
        var title = ref.enjeux && ref.enjeux[enjeu];
        summary.textContent = "Enjeu " + enjeu + (title ? " : " + title : "");
        details.appendChild(summary);
        var list = document.createElement("ul");
        list.className = "choices";
        groups[enjeu].forEach(function (o) {
          var item = document.createElement("li");
          var input = document.createElement("input");
          input.type = "checkbox";
          input.name = "objectifs";
          input.value = String(o.id);
          input.id = "terrain-objectif-" + o.id;
          if (checked[input.value]) { input.checked = true; details.open = true; delete checked[input.value]; }
          var label = document.createElement("label");
          label.htmlFor = input.id;
          label.textContent = o.label;
          item.appendChild(input);
          item.appendChild(document.createTextNode(" "));
          item.appendChild(label);
          list.appendChild(item);
        });
        details.appendChild(list);
        container.appendChild(details);
      });
      if (!order.length) {
        var none = document.createElement("p");
        none.className = "meta";
        none.textContent = "Ce quartier n'a pas d'objectifs en ligne.";
        container.appendChild(none);
      }
    }
    // Objectives kept on the device that the lists no longer hold: shown, so they can be
    // unchecked. Those of another quartier (the quartier was changed) are simply dropped.
    Object.keys(checked).forEach(function (id) {
      var known = ref && ref.objectifs.some(function (o) { return String(o.id) === id; });
      if (known) return;
      var item = document.createElement("p");
      item.className = "choice-unknown";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "objectifs";
      input.value = id;
      input.id = "terrain-objectif-" + id;
      input.checked = true;
      var label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = "Objectif n° " + id + (ref ? " (n'existe plus dans les listes : décochez-le)" : "");
      item.appendChild(input);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(label);
      container.appendChild(item);
    });
  }

  function checkedObjectifs() {
    return Array.prototype.map.call(
      el.objectifs.querySelectorAll("input[name=objectifs]:checked"),
      function (input) { return input.value; }
    );
  }

  // --- the form, its draft and its photo -------------------------------------------------------

  function readForm() {
    var visibility = form.querySelector("input[name=visibility]:checked");
    return {
      evenement: form.elements.evenement.value,
      source: form.elements.source.value,
      text: form.elements.text.value,
      quartier: form.elements.quartier.value,
      objectifs: checkedObjectifs(),
      objectifs_unknown: form.elements.objectifs_unknown.checked,
      people_count: form.elements.people_count.value,
      age_group: form.elements.age_group.value,
      contact_consent: form.elements.contact_consent.checked,
      contact: form.elements.contact.value,
      photo_description: form.elements.photo_description.value,
      visibility: visibility ? visibility.value : "anonyme"
    };
  }

  function fillForm(values) {
    values = values || {};
    state.pendingValues = values;
    setSelect(form.elements.evenement, values.evenement || "");
    if (values.source) form.elements.source.value = values.source;
    form.elements.text.value = values.text || "";
    setSelect(form.elements.quartier, values.quartier || "");
    form.elements.objectifs_unknown.checked = !!values.objectifs_unknown;
    form.elements.people_count.value = values.people_count || "1";
    form.elements.age_group.value = values.age_group || "";
    form.elements.contact_consent.checked = !!values.contact_consent;
    form.elements.contact.value = values.contact || "";
    form.elements.photo_description.value = values.photo_description || "";
    var radio = form.querySelector("input[name=visibility][value='" + (values.visibility || "anonyme") + "']");
    if (radio) radio.checked = true;
    renderObjectifs(values.objectifs || []);
    state.pendingValues = null;
  }

  function renderPhoto() {
    if (state.photo) {
      el.photoName.textContent = "Photo jointe : " + (state.photoName || "photo") + " (" + formatSize(state.photo.size) + ")";
      el.photoState.hidden = false;
    } else {
      el.photoName.textContent = "";
      el.photoState.hidden = true;
    }
  }

  var draftTimer = null;

  function saveDraft() {
    if (draftTimer) { clearTimeout(draftTimer); draftTimer = null; }
    var draft = {
      values: readForm(),
      photo: state.photo,
      photo_name: state.photoName,
      editing: state.editing,
      saved_at: new Date().toISOString()
    };
    return setMeta(draftKey(), draft).catch(function () {
      showFormError("Ce navigateur ne peut plus rien garder sur l'appareil (stockage plein ?) : envoyez ce qui attend avant de continuer.");
    });
  }

  function scheduleDraft() {
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 250);
  }

  function restoreDraft() {
    return getMeta(draftKey()).then(function (draft) {
      if (!draft) return;
      state.photo = draft.photo || null;
      state.photoName = draft.photo_name || "";
      state.editing = draft.editing || null;
      fillForm(draft.values);
      renderPhoto();
      renderEditing();
    });
  }

  function shrinkPhoto(file) {
    // Large photos are made smaller on the device, so that they travel on a weak network;
    // the server re-encodes them anyway (without location or other metadata).
    if (!window.createImageBitmap || file.size < 1500000) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob && blob.size < file.size ? blob : file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function onPhotoChange() {
    var file = el.photoInput.files && el.photoInput.files[0];
    if (!file) return;
    shrinkPhoto(file).then(function (blob) {
      if (blob.size > PHOTO_MAX_BYTES) {
        showFormError("Cette photo pèse " + formatSize(blob.size) + " ; la limite est " + formatSize(PHOTO_MAX_BYTES) + ". Choisissez une photo plus légère.");
        return;
      }
      state.photo = blob;
      state.photoName = file.name;
      el.photoInput.value = "";
      renderPhoto();
      saveDraft();
    });
  }

  function showFormError(message) {
    el.formError.textContent = message;
    el.formError.hidden = !message;
  }

  function renderEditing() {
    var editing = state.editing && findEntry(state.editing);
    if (state.editing && !editing) state.editing = null;
    el.editing.hidden = !editing;
    el.formTitle.textContent = editing ? "Corriger un message gardé sur l'appareil" : "Nouveau message";
    el.editingReason.textContent = editing && editing.reason ? "Refusé : " + editing.reason : "Vous corrigez un message qui n'est pas encore envoyé.";
  }

  function validateLocally(values) {
    if (!values.text.trim()) return { field: "text", message: "Écrivez ce qui a été dit : c'est la seule chose obligatoire avec le quartier." };
    if (!values.quartier) return { field: "quartier", message: "Choisissez le quartier dont parlent les personnes." };
    var count = parseInt(values.people_count, 10);
    if (!(count >= 1 && count <= 500)) return { field: "people_count", message: "Le nombre de personnes va de 1 à 500." };
    if (values.contact.trim() && !values.contact_consent) {
      return { field: "contact", message: "Un contact ne se garde qu'avec l'accord de la personne : cochez la case d'accord, ou laissez le contact vide." };
    }
    return null;
  }

  function onSubmit(event) {
    event.preventDefault();
    var values = readForm();
    var problem = validateLocally(values);
    if (problem) {
      showFormError(problem.message);
      var field = form.elements[problem.field];
      if (field && field.focus) field.focus();
      return;
    }
    showFormError("");
    var now = new Date().toISOString();
    var existing = state.editing && findEntry(state.editing);
    var entry = existing ? Object.assign({}, existing) : { uuid: uuid4(), owner: USER, created_at: now };
    entry.values = values;
    entry.photo = state.photo;
    entry.photo_name = state.photoName;
    entry.state = "en_attente";
    entry.reason = "";
    entry.fields = {};
    entry.updated_at = now;
    putEntry(entry).then(function () {
      var keep = { evenement: values.evenement, source: values.source, quartier: values.quartier, visibility: values.visibility };
      state.photo = null;
      state.photoName = "";
      state.editing = null;
      form.reset();
      fillForm(keep);
      renderPhoto();
      renderEditing();
      return saveDraft();
    }).then(loadEntries).then(function () {
      announce(existing ? "Message corrigé : il attend d'être renvoyé." : "Message gardé sur l'appareil.");
      form.elements.text.focus();
      syncNow();
    }).catch(function () {
      showFormError("Le message n'a pas pu être gardé sur l'appareil (stockage plein ?). Il reste dans le formulaire.");
    });
  }

  // --- the list of entries --------------------------------------------------------------------

  function findEntry(uuid) {
    for (var i = 0; i < state.entries.length; i++) if (state.entries[i].uuid === uuid) return state.entries[i];
    return null;
  }

  function loadEntries() {
    return allEntries().then(function (entries) {
      entries.sort(function (a, b) { return a.created_at < b.created_at ? 1 : -1; });
      state.entries = entries;
      renderEntries();
      renderStatus();
    });
  }

  function quartierName(slug) {
    var ref = state.referential;
    if (ref) for (var i = 0; i < ref.quartiers.length; i++) if (ref.quartiers[i].slug === slug) return ref.quartiers[i].name;
    return slug;
  }

  function stateLabel(entry) {
    if (state.inFlight[entry.uuid]) return "envoi en cours…";
    if (entry.state === "envoyee") return "envoyée" + (entry.expression ? " (n° " + entry.expression + ")" : "") + (entry.sent_at ? " le " + formatTime(entry.sent_at) : "");
    if (entry.state === "refusee") return "refusée : " + (entry.reason || "à corriger");
    return "en attente" + (entry.reason ? " (" + entry.reason + ")" : "");
  }

  function renderEntries() {
    var list = el.entries;
    list.textContent = "";
    var anySent = false;
    state.entries.forEach(function (entry) {
      var mine = entry.owner === USER;
      var item = document.createElement("li");
      item.className = "terrain-entry terrain-entry-" + (state.inFlight[entry.uuid] ? "envoi" : entry.state);
      item.setAttribute("data-entry", entry.uuid);
      var title = document.createElement("p");
      title.className = "terrain-entry-title";
      title.textContent = "Saisi le " + formatTime(entry.created_at) + " — " + quartierName(entry.values.quartier) +
        (entry.values.people_count > 1 ? " — " + entry.values.people_count + " personnes" : "") +
        (entry.photo || entry.had_photo ? " — avec photo" : "");
      var text = document.createElement("p");
      text.className = "terrain-entry-text";
      var words = entry.values.text || "";
      text.textContent = words.length > 240 ? words.slice(0, 240) + "…" : words;
      var status = document.createElement("p");
      status.className = "terrain-entry-state";
      var badge = document.createElement("strong");
      badge.setAttribute("data-entry-state", entry.state);
      badge.textContent = stateLabel(entry);
      status.appendChild(badge);
      if (!mine) status.appendChild(document.createTextNode(" — saisi avec un autre compte : il partira quand ce compte se connectera ici."));
      item.appendChild(title);
      item.appendChild(text);
      item.appendChild(status);
      var actions = document.createElement("p");
      actions.className = "terrain-entry-actions";
      if (entry.state === "envoyee") {
        anySent = true;
      } else if (mine && !state.inFlight[entry.uuid]) {
        actions.appendChild(button(entry.state === "refusee" ? "Corriger" : "Modifier", function () { startEditing(entry.uuid); }, "link-button"));
        actions.appendChild(button("Supprimer", function () { removeEntry(entry.uuid); }, "link-button"));
      }
      if (actions.childNodes.length) item.appendChild(actions);
      list.appendChild(item);
    });
    el.entriesEmpty.hidden = state.entries.length > 0;
    el.clearSent.hidden = !anySent;
  }

  function button(label, onClick, className) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = className || "";
    node.textContent = label;
    node.addEventListener("click", onClick);
    return node;
  }

  function startEditing(uuid) {
    var entry = findEntry(uuid);
    if (!entry) return;
    state.editing = uuid;
    state.photo = entry.photo || null;
    state.photoName = entry.photo_name || "";
    fillForm(entry.values);
    renderPhoto();
    renderEditing();
    saveDraft();
    var fields = entry.fields || {};
    var first = Object.keys(fields)[0];
    form.scrollIntoView();
    var target = first && form.elements[first.split(".")[0]];
    (target && target.focus ? target : form.elements.text).focus();
  }

  function cancelEditing() {
    state.editing = null;
    state.photo = null;
    state.photoName = "";
    var keep = readForm();
    form.reset();
    fillForm({ evenement: keep.evenement, source: keep.source, quartier: keep.quartier });
    renderPhoto();
    renderEditing();
    saveDraft();
  }

  function removeEntry(uuid) {
    if (!window.confirm("Supprimer ce message de l'appareil ? Il n'a pas été envoyé : il sera perdu.")) return;
    deleteEntry(uuid).then(function () {
      if (state.editing === uuid) cancelEditing();
      return loadEntries();
    });
  }

  function clearSent() {
    var sent = state.entries.filter(function (e) { return e.state === "envoyee"; });
    Promise.all(sent.map(function (e) { return deleteEntry(e.uuid); })).then(loadEntries);
  }

  // --- honest states -------------------------------------------------------------------------

  function waiting() {
    return state.entries.filter(function (e) { return e.owner === USER && e.state === "en_attente"; });
  }

  function renderStatus() {
    el.network.textContent = state.online ? "En ligne" : "Hors ligne : les messages sont gardés sur cet appareil";
    el.network.className = state.online ? "network-online" : "network-offline";
    var pending = waiting().length;
    var refused = state.entries.filter(function (e) { return e.owner === USER && e.state === "refusee"; }).length;
    var text = pending ? plural(pending, "message en attente d'envoi", "messages en attente d'envoi") : "Aucun message en attente";
    if (refused) text += " ; " + plural(refused, "message refusé à corriger", "messages refusés à corriger");
    el.pending.textContent = text;
    el.pending.setAttribute("data-count", String(pending));
    el.lastSync.textContent = state.lastSync ? "Dernier envoi réussi : " + formatTime(state.lastSync) : "Jamais synchronisé depuis cet appareil";
    el.expired.hidden = !state.sessionExpired;
    el.syncNow.disabled = state.syncing || !pending;
  }

  function announce(message) {
    el.syncMessage.textContent = message;
    el.syncMessage.hidden = !message;
  }

  function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    renderStatus();
  }

  // --- sending ------------------------------------------------------------------------------

  function blobToBase64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function payloadFor(entry) {
    var v = entry.values;
    var body = {
      uuid: entry.uuid,
      evenement: v.evenement ? parseInt(v.evenement, 10) : null,
      source: v.source,
      quartier: v.quartier,
      text: v.text,
      objectifs: (v.objectifs || []).map(function (id) { return parseInt(id, 10); }),
      people_count: parseInt(v.people_count, 10) || 1,
      age_group: v.age_group || "",
      contact: v.contact_consent ? v.contact : "",
      contact_consent: !!v.contact_consent,
      visibility: v.visibility || "anonyme",
      photo_description: v.photo_description || ""
    };
    if (!entry.photo) return Promise.resolve(body);
    return blobToBase64(entry.photo).then(function (data) { body.photo = data; return body; });
  }

  function batches(entries) {
    // A photo travels alone; the others go by MAX_BATCH.
    var groups = [];
    var current = [];
    entries.forEach(function (entry) {
      if (entry.photo) { groups.push([entry]); return; }
      current.push(entry);
      if (current.length >= MAX_BATCH) { groups.push(current); current = []; }
    });
    if (current.length) groups.push(current);
    return groups;
  }

  function applyResult(result) {
    var entry = findEntry(result.uuid);
    if (!entry) return Promise.resolve();
    entry = Object.assign({}, entry);
    if (result.etat === "envoyee") {
      entry.state = "envoyee";
      entry.expression = result.expression;
      entry.sent_at = new Date().toISOString();
      entry.reason = "";
      entry.fields = {};
      if (entry.photo) { entry.had_photo = true; entry.photo = null; }
    } else if (result.etat === "refusee") {
      entry.state = "refusee";
      entry.reason = result.raison || "refusée";
      entry.fields = result.champs || {};
    } else {
      entry.state = "en_attente";
      entry.reason = result.raison || "";
    }
    return putEntry(entry);
  }

  function sendBatch(group) {
    group.forEach(function (entry) { state.inFlight[entry.uuid] = true; });
    renderEntries();
    return Promise.all(group.map(payloadFor)).then(function (entrees) {
      return fetchWithTimeout(URLS.sync, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
        body: JSON.stringify({ entrees: entrees })
      });
    }).then(function (response) {
      return readJson(response).then(function (body) {
        if (response.ok && body && body.resultats) {
          return Promise.all(body.resultats.map(applyResult)).then(function () { return { ok: true, body: body }; });
        }
        var error = body && body.erreur ? body.erreur : { code: "http_" + response.status, message: "" };
        return { ok: false, status: response.status, error: error };
      });
    }, function () {
      return { ok: false, network: true };
    }).finally(function () {
      group.forEach(function (entry) { delete state.inFlight[entry.uuid]; });
    });
  }

  function doSync() {
    var mine = waiting().filter(function (e) { return !state.inFlight[e.uuid]; });
    if (!mine.length) return Promise.resolve();
    state.syncing = true;
    renderStatus();
    var groups = batches(mine);
    var sent = 0;
    var refused = 0;
    var succeeded = false;
    function next(index) {
      if (index >= groups.length) return Promise.resolve();
      return sendBatch(groups[index]).then(function (outcome) {
        if (outcome.ok) {
          succeeded = true;
          setOnline(true);
          state.sessionExpired = false;
          sent += outcome.body.envoyees;
          refused += outcome.body.refusees;
          return next(index + 1);
        }
        if (outcome.network) { setOnline(false); announce("Le réseau ne répond pas : les messages restent sur l'appareil et partiront plus tard."); return null; }
        if (outcome.error.code === "non_authentifie") { state.sessionExpired = true; announce(""); return null; }
        if (outcome.error.code === "csrf") { announce("La page doit être rechargée avant d'envoyer (jeton de sécurité expiré) : vos messages restent sur l'appareil."); return null; }
        announce((outcome.error.message || "L'envoi n'a pas abouti") + " Les messages restent sur l'appareil et partiront plus tard.");
        return null;
      });
    }
    return next(0).then(function () {
      if (!succeeded) return null;
      state.lastSync = new Date().toISOString();
      var message = plural(sent, "message envoyé", "messages envoyés") + (refused ? " ; " + plural(refused, "refusé", "refusés") + " : corrigez-les ci-dessous." : ".");
      announce(message);
      return setMeta("last_sync:" + USER, state.lastSync);
    }).finally(function () {
      state.syncing = false;
      return loadEntries();
    });
  }

  function syncNow() {
    if (state.syncing) return Promise.resolve();
    if (!navigator.onLine) { setOnline(false); return Promise.resolve(); }
    if (navigator.locks && navigator.locks.request) {
      // Two open tabs never send at the same time (the server would not store twice anyway).
      return navigator.locks.request("participation-terrain-sync", function () {
        return loadEntries().then(doSync);
      });
    }
    return loadEntries().then(doSync);
  }

  function checkSession() {
    if (!navigator.onLine) return Promise.resolve();
    return fetchWithTimeout(URLS.session).then(function (response) {
      setOnline(true);
      if (response.ok) { state.sessionExpired = false; return; }
      return readJson(response).then(function (body) {
        var code = body && body.erreur && body.erreur.code;
        state.sessionExpired = code === "non_authentifie";
      });
    }, function () { setOnline(false); }).then(renderStatus);
  }

  function whenOnline() {
    setOnline(true);
    checkSession().then(function () {
      refreshReferential().catch(function () {});
      if (!state.sessionExpired) syncNow();
    });
  }

  // --- service worker ----------------------------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) {
      el.referential.textContent += " Ce navigateur ne garde pas la page hors connexion : gardez-la ouverte.";
      return;
    }
    navigator.serviceWorker.register(URLS.sw, { scope: URLS.scope }).catch(function () {});
    // Whatever this page loads (base.html's scripts and styles too) is kept for offline use.
    navigator.serviceWorker.ready.then(function (registration) {
      var urls = [];
      document.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=icon][href]").forEach(function (node) {
        urls.push(node.src || node.href);
      });
      if (registration.active) registration.active.postMessage({ type: "keep", urls: urls });
    });
  }

  // --- start ---------------------------------------------------------------------------------------

  function start() {
    root.querySelectorAll("[data-needs-js]").forEach(function (node) { node.hidden = true; });
    root.querySelectorAll("[data-app]").forEach(function (node) { node.hidden = false; });
    form.addEventListener("input", scheduleDraft);
    form.addEventListener("change", function (event) {
      if (event.target === el.photoInput) { onPhotoChange(); return; }
      if (event.target === form.elements.quartier) renderObjectifs();
      scheduleDraft();
    });
    form.addEventListener("submit", onSubmit);
    el.photoRemove.addEventListener("click", function () { state.photo = null; state.photoName = ""; renderPhoto(); saveDraft(); });
    el.cancelEdit.addEventListener("click", cancelEditing);
    el.clearSent.addEventListener("click", clearSent);
    el.syncNow.addEventListener("click", function () { syncNow(); });
    el.loginLink.addEventListener("click", function (event) {
      // Everything typed is saved before leaving for the sign-in page.
      event.preventDefault();
      var href = el.loginLink.href;
      saveDraft().then(function () { window.location.assign(href); });
    });
    window.addEventListener("online", whenOnline);
    window.addEventListener("offline", function () { setOnline(false); });
    window.addEventListener("pagehide", function () { if (draftTimer) saveDraft(); });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden" && draftTimer) saveDraft(); });
    setInterval(function () { if (navigator.onLine && waiting().length && !state.sessionExpired) syncNow(); }, RETRY_EVERY);

    Promise.all([getMeta("referential"), getMeta("last_sync:" + USER)]).then(function (meta) {
      state.referential = meta[0] || null;
      state.lastSync = meta[1] || null;
      renderReferential();
      return restoreDraft();
    }).then(loadEntries).then(function () {
      root.setAttribute("data-ready", "1");
      registerWorker();
      if (navigator.onLine) whenOnline(); else setOnline(false);
    }).catch(function () {
      root.querySelectorAll("[data-needs-js]").forEach(function (node) { node.hidden = false; });
      root.querySelectorAll("[data-app]").forEach(function (node) { node.hidden = true; });
    });
  }

  start();
})();
