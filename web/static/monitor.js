// The supervisor's monitor: draws a BPMN diagram with bpmn-js (served from node_modules) and
// marks element states (cc-completed, cc-active, cc-waiting, cc-failed) or heatmap counts.
// Data comes from the JSON URL in the canvas's data-src attribute (no inline script: CSP).
(function () {
  "use strict";

  function say(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  function badge(count, dwell) {
    var box = document.createElement("div");
    box.className = "cc-heat" + (count > 0 ? " cc-heat-busy" : "");
    var now = document.createElement("span");
    now.className = "cc-heat-now";
    now.textContent = String(count);
    box.appendChild(now);
    if (dwell) {
      var avg = document.createElement("span");
      avg.className = "cc-heat-dwell";
      avg.textContent = "avg " + dwell;
      box.appendChild(avg);
    }
    return box;
  }

  function mark(viewer, data) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var overlays = viewer.get("overlays");
    var marked = 0;
    Object.keys(data.states || {}).forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, "cc-" + data.states[id]);
        marked += 1;
      }
    });
    Object.keys(data.counts || {}).forEach(function (id) {
      var cell = data.counts[id];
      if (registry.get(id)) {
        overlays.add(id, "cc-heat", { position: { top: -14, right: 14 }, html: badge(cell.now, cell.dwell) });
        if (cell.now > 0) {
          canvas.addMarker(id, "cc-busy");
        }
        marked += 1;
      }
    });
    return marked;
  }

  function draw(container) {
    var status = document.getElementById("diagram-status");
    if (typeof window.BpmnJS !== "function") {
      say(status, "The diagram viewer (bpmn-js) did not load; run make run to install it.");
      return;
    }
    fetch(container.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the diagram could not be loaded (" + response.status + ")");
        }
        return response.json();
      })
      .then(function (data) {
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(data.xml).then(function () {
          viewer.get("canvas").zoom("fit-viewport");
          var marked = mark(viewer, data);
          container.setAttribute("data-rendered", "true");
          say(status, marked + " element" + (marked === 1 ? "" : "s") + " marked on the diagram.");
        });
      })
      .catch(function (error) {
        say(status, "The diagram could not be drawn: " + error.message);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("bpmn-canvas");
    if (container) {
      draw(container);
    }
  });
})();
