// Classic-notebook extension that `make present` enables. When a notebook whose
// metadata says {"aiopen": {"autorun": true}} opens, it restarts the kernel (a
// reloaded page reconnects to the old kernel, whose widget models the new page
// does not know), waits until the ipywidgets manager is attached (running earlier
// races it and leaves widget outputs empty), then runs every cell, so RISE shows
// live widgets without the presenter pressing a key. Autosave is switched off so
// presenting never writes this session's outputs into the tracked deck file.
define(["base/js/namespace", "base/js/events"], function (Jupyter, events) {
  "use strict";
  var started = false;

  function ready() {
    var kernel = Jupyter.notebook && Jupyter.notebook.kernel;
    return kernel && kernel.is_connected() && kernel.widget_manager;
  }

  function whenReady(action) {
    if (ready()) { action(); } else { setTimeout(function () { whenReady(action); }, 100); }
  }

  function autorun() {
    var meta = (Jupyter.notebook && Jupyter.notebook.metadata.aiopen) || {};
    if (started || !meta.autorun || !ready()) { return; }
    started = true;
    Jupyter.notebook.set_autosave_interval(0);
    Jupyter.notebook.clear_all_output();
    events.one("kernel_ready.Kernel", function () {
      whenReady(function () {
        Jupyter.notebook.execute_all_cells();
        document.body.setAttribute("data-aiopen-autorun", "started");
      });
    });
    Jupyter.notebook.kernel.restart();
  }

  function load_ipython_extension() {
    events.on("kernel_ready.Kernel", function () { whenReady(autorun); });
    whenReady(autorun);
  }

  return { load_ipython_extension: load_ipython_extension };
});
