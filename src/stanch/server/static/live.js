// Live timeline: append each server-sent event as a list item (no framework, no build).
(function () {
  "use strict";
  var list = document.querySelector("ol.timeline[data-stream]");
  if (!list || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  var url = list.dataset.stream + "?after=" + encodeURIComponent(list.dataset.after || "0");
  var source = new EventSource(url);
  source.onopen = function () { if (state) { state.textContent = "live"; } };
  source.onerror = function () { if (state) { state.textContent = "reconnecting…"; } };
  source.onmessage = function (message) {
    var line = JSON.parse(message.data);
    if (list.querySelector('li[data-seq="' + line.seq + '"]')) { return; }
    var item = document.createElement("li");
    item.dataset.seq = String(line.seq);
    item.className = "kind-" + line.kind.replace(/\./g, "-") + " new";
    var time = document.createElement("time");
    time.dateTime = line.at;
    time.textContent = line.at.slice(11, 19);
    var actor = document.createElement("span");
    actor.className = "actor";
    actor.textContent = line.actor;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = line.text;
    item.append(time, " ", actor, " ", text);
    list.appendChild(item);
  };
})();
