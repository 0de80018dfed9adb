// Classic-notebook extension that `make present` enables. When a notebook whose
// metadata says {"aiopen": {"autorun": true}} opens, it runs every cell once the
// kernel is connected and the ipywidgets manager is attached (running earlier
// races the manager and leaves widget outputs empty), so RISE shows live widgets
// without the presenter pressing a key.
// A reloaded page reconnects to the kernel that already ran the deck, whose widget
// models the new page does not know: then the old session is deleted and the page
// loads again with a fresh kernel (restarting the kernel in place, or restarting the
// session, raced the widget manager's reconnect and sometimes lost widget outputs).
// Autosave is switched off so presenting never writes this session's outputs into
// the tracked deck file.
// It also starts RISE itself: RISE's own autolaunch reads the notebook metadata
// when its config loads, which can happen before the notebook has loaded, and then
// silently does nothing. The deck's RISE settings also live in the server's
// nbconfig (rise.json beside this kit's notebook.d) for the same reason.
define(["jquery", "base/js/namespace", "base/js/events"], function ($, Jupyter, events) {
  "use strict";
  var started = false;
  var RAN_BEFORE = "__import__('sys').modules.get('aiopen.widgets') is not None";

  function riseIsOn() { return $("#maintoolbar").hasClass("reveal_tagging"); }

  // Cells run only once RISE has moved them into its slide sections: moving a cell
  // whose widget views are already attached detaches them and the views break.
  function ready() {
    var kernel = Jupyter.notebook && Jupyter.notebook.kernel;
    return kernel && kernel.is_connected() && kernel.widget_manager && riseIsOn();
  }

  function whenReady(action) {
    if (ready()) { action(); } else { setTimeout(function () { whenReady(action); }, 100); }
  }

  function runAll() {
    Jupyter.notebook.execute_all_cells();
    document.body.setAttribute("data-aiopen-autorun", "started");
  }

  // Shut the old kernel down and load the page again: the new page gets a new
  // session and a fresh kernel, which is the first-load path.
  function freshKernelThenReload() {
    var reload = function () { window.location.reload(); };
    Jupyter.notebook.session.delete(reload, reload);
  }

  function autorun() {
    var meta = (Jupyter.notebook && Jupyter.notebook.metadata.aiopen) || {};
    if (started || !meta.autorun || !ready()) { return; }
    started = true;
    Jupyter.notebook.set_autosave_interval(0);
    var callbacks = {
      shell: {
        reply: function (msg) {
          var answer = (msg.content.user_expressions || {}).ran;
          var ranBefore = answer && answer.data && answer.data["text/plain"] === "True";
          if (ranBefore) { freshKernelThenReload(); } else { runAll(); }
        }
      }
    };
    Jupyter.notebook.kernel.execute("", callbacks, {
      silent: false, store_history: false, user_expressions: { ran: RAN_BEFORE }
    });
  }

  function startRise() {
    var meta = (Jupyter.notebook && Jupyter.notebook.metadata.aiopen) || {};
    var loaded = Jupyter.notebook && Jupyter.notebook._fully_loaded;
    if (loaded && !meta.autorun) { return; }
    if (!loaded || !Jupyter.actions.exists("RISE:slideshow")) {
      setTimeout(startRise, 100);
      return;
    }
    // RISE runs its own autolaunch in the promise chain that registers the action;
    // one more tick and it has either started the show or given up.
    setTimeout(function () {
      if (!riseIsOn()) { Jupyter.actions.call("RISE:slideshow"); }
      document.body.setAttribute("data-aiopen-rise", "on");
    }, 0);
  }

  function load_ipython_extension() {
    startRise();
    events.on("kernel_ready.Kernel", function () { whenReady(autorun); });
    whenReady(autorun);
  }

  return { load_ipython_extension: load_ipython_extension };
});
