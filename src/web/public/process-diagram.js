/* global document, window */
// The instance page's diagram: the bpmn-js NavigatedViewer (pan and zoom) draws the BPMN of the version the
// instance runs, and marks the elements that completed and those it waits on. The history table below the
// diagram says the same as text; when the model has no diagram layout, only a note is shown.
(() => {
  const container = document.getElementById('diagram');
  if (!container || !window.BpmnJS) return;
  const ids = (name) => (container.dataset[name] || '').split(' ').filter(Boolean);
  const missing = () => {
    container.hidden = true;
    const note = document.querySelector('[data-diagram-missing]');
    if (note) note.hidden = false;
  };
  fetch(container.dataset.bpmn, { credentials: 'same-origin' })
    .then((res) => {
      if (!res.ok) throw new Error(`diagram: HTTP ${res.status}`);
      return res.text();
    })
    .then(async (xml) => {
      const viewer = new window.BpmnJS({ container });
      await viewer.importXML(xml);
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      // Only the root: the file has no BPMNDiagram shapes to draw.
      if (registry.getAll().length <= 1) return missing();
      canvas.zoom('fit-viewport', 'auto');
      for (const id of ids('completed')) if (registry.get(id)) canvas.addMarker(id, 'pf-completed');
      for (const id of ids('active')) if (registry.get(id)) canvas.addMarker(id, 'pf-active');
      container.dataset.drawn = 'true';
    })
    .catch(missing);
})();
