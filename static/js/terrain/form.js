/* The form: a new message, or the correction of one kept on the device. Every keystroke is
   kept as a draft (restored when the page opens again), a photo is made smaller here and
   kept with the message, and a message is checked here before it is kept. Sending is
   sync.js's: main.js asks for it once a message is kept. */

import { PHOTO_MAX_BYTES, USER, el, form, state } from "./page.js";
import { deleteEntry, getMeta, putEntry, setMeta } from "./store.js";
import { formatSize, localIso, uuid4 } from "./helpers.js";
import { checkedObjectifs, eventDefaults, renderObjectifs, setSelect } from "./referential.js";
import { findEntry, loadEntries } from "./entries.js";
import { announce } from "./status.js";
// A classic script shared with the field form: it sets window.EventDefaults.
import "../lib/event-defaults.js";

var PHOTO_LONG_SIDE = 2560;

function draftKey() { return "draft:" + USER; }

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

export function saveDraft() {
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

// A draft that waits for its timer is kept now (the page is being left or hidden).
export function flushDraft() {
  if (draftTimer) saveDraft();
}

export function removePhoto() {
  state.photo = null;
  state.photoName = "";
  renderPhoto();
  saveDraft();
}

export function scheduleDraft() {
  if (draftTimer) clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraft, 250);
}

export function restoreDraft() {
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

export function onPhotoChange() {
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

// The event chosen gives its kind of meeting and its quartier (lib/event-defaults.js).
export function applyEventDefaults() {
  var event = eventDefaults(form.elements.evenement.value);
  if (!event) { el.eventDefaults.textContent = ""; return; }
  var done = window.EventDefaults.apply({ source: form.elements.source, quartier: form.elements.quartier }, event);
  if (done.quartierChanged) renderObjectifs();
  el.eventDefaults.textContent = done.message;
}

function validateLocally(values) {
  if (!values.text.trim()) return { field: "text", message: "Écrivez ce qui a été dit : c'est la seule chose obligatoire avec le quartier." };
  if (!values.source && !values.evenement) return { field: "source", message: "Choisissez le type de rencontre, ou l'événement où ces paroles ont été recueillies." };
  if (!values.quartier) return { field: "quartier", message: "Choisissez le quartier dont parlent les personnes." };
  var count = parseInt(values.people_count, 10);
  if (!(count >= 1 && count <= 500)) return { field: "people_count", message: "Le nombre de personnes va de 1 à 500." };
  if (values.contact.trim() && !values.contact_consent) {
    return { field: "contact", message: "Un contact ne se garde qu'avec l'accord de la personne : cochez la case d'accord, ou laissez le contact vide." };
  }
  return null;
}

// Resolves to true once the message is kept on the device (then it may be sent).
export function onSubmit(event) {
  event.preventDefault();
  var values = readForm();
  var problem = validateLocally(values);
  if (problem) {
    showFormError(problem.message);
    var field = form.elements[problem.field];
    if (field && field.focus) field.focus();
    return Promise.resolve(false);
  }
  showFormError("");
  var typed = new Date();
  var now = typed.toISOString();
  var existing = state.editing && findEntry(state.editing);
  // When it was said: when it was first typed, kept through corrections, unless the server
  // refused that time (a clock set wrong, or too old): it is then dated when received.
  var entry = existing ? Object.assign({}, existing) : { uuid: uuid4(), owner: USER, created_at: now, said_at: localIso(typed) };
  if (existing && existing.fields && existing.fields.said_at) entry.said_at = null;
  entry.values = values;
  entry.photo = state.photo;
  entry.photo_name = state.photoName;
  entry.state = "en_attente";
  entry.reason = "";
  entry.fields = {};
  entry.updated_at = now;
  return putEntry(entry).then(function () {
    var keep = { evenement: values.evenement, source: values.source, quartier: values.quartier, visibility: values.visibility };
    state.photo = null;
    state.photoName = "";
    state.editing = null;
    form.reset();
    fillForm(keep);
    el.eventDefaults.textContent = "";
    renderPhoto();
    renderEditing();
    return saveDraft();
  }).then(loadEntries).then(function () {
    announce(existing ? "Message corrigé : il attend d'être renvoyé." : "Message gardé sur l'appareil.");
    form.elements.text.focus();
    return true;
  }).catch(function () {
    showFormError("Le message n'a pas pu être gardé sur l'appareil (stockage plein ?). Il reste dans le formulaire.");
    return false;
  });
}

export function startEditing(uuid) {
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

export function cancelEditing() {
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

export function removeEntry(uuid) {
  if (!window.confirm("Supprimer ce message de l'appareil ? Il n'a pas été envoyé : il sera perdu.")) return;
  deleteEntry(uuid).then(function () {
    if (state.editing === uuid) cancelEditing();
    return loadEntries();
  });
}
