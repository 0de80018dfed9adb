// Classic-notebook extension that `make present` enables. When a notebook whose
// metadata says {"aiopen": {"autorun": true}} opens, it runs every cell once the
// kernel is connected and the ipywidgets manager is attached (running earlier
// races the manager and leaves widget outputs empty), so RISE shows live widgets
// without the presenter pressing a key.
// A reloaded page reconnects to the kernel that already ran the deck, whose widget
// models the new page does not know: then the old session is deleted and the page
// loads again with a fresh kernel (restarting the kernel in place, or restarting the
// session, raced the widget manager's reconnect and sometimes lost widget outputs).
// ipywidgets' classic manager, once it has asked the kernel for its widgets, renders
// again every output that holds a widget (notebook.render_cell_output). When that
// answer comes after the autorun has run cells (a slow machine, seen after reloads on
// two cores), re-rendering removes their live views and ipywidgets blanks the model
// ids: every widget output stays empty. Outputs of cells run in this page are live,
// so the extension leaves them alone (keepLiveOutputs).
// After the run it still checks that every widget output shows its view, and runs
// again any cell whose view is gone, at most twice.
// `data-aiopen-autorun` on <body> says "started", then "done" once every view is up.
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

  var WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
  var HEAL_ROUNDS = 2;
  var VIEW_GRACE_MS = 20000;  // a view still missing this long after its cell ran is lost

  function codeCells() {
    return Jupyter.notebook.get_cells().filter(function (cell) { return cell.cell_type === "code"; });
  }

  // Ran to the end: the reply has come (the prompt shows a number) and so has every
  // output (the kernel went idle on IOPub, which can lag behind the reply).
  function finished(cell) {
    if (typeof cell.input_prompt_number !== "number") { return false; }
    var callbacks = cell.last_msg_id && Jupyter.notebook.kernel.get_callbacks_for_msg(cell.last_msg_id);
    return !callbacks || callbacks.iopub_done;
  }

  function allRan(cells) { return cells.every(finished); }

  // A widget output whose view was removed (ipywidgets then blanks its model id) or
  // that still has no view after the grace period.
  function lostViews(cells, graceOver) {
    return cells.filter(function (cell) {
      var views = cell.output_area.outputs
        .map(function (output) { return output.data && output.data[WIDGET_VIEW]; })
        .filter(Boolean);
      if (views.length === 0) { return false; }
      var removed = views.some(function (view) { return view.model_id === ""; });
      var shown = cell.output_area.element[0].querySelector(".jupyter-widgets") !== null;
      return removed || (graceOver && !shown);
    });
  }

  function checkViews(round, ranAt) {
    var cells = codeCells();
    if (!allRan(cells)) {
      setTimeout(function () { checkViews(round, null); }, 500);
      return;
    }
    ranAt = ranAt || Date.now();
    var graceOver = Date.now() - ranAt > VIEW_GRACE_MS;
    var lost = lostViews(cells, graceOver);
    var pending = !graceOver && lostViews(cells, true).length > 0;
    if (lost.length === 0 && !pending) {
      document.body.setAttribute("data-aiopen-autorun", "done");
      document.body.setAttribute("data-aiopen-reruns", String(round));
      return;
    }
    if (lost.length > 0 && round < HEAL_ROUNDS) {
      console.warn("aiopen: " + lost.length + " widget output(s) lost their views; running those cells again");
      lost.forEach(function (cell) { cell.execute(); });
      setTimeout(function () { checkViews(round + 1, null); }, 500);
      return;
    }
    if (lost.length > 0 && graceOver) {
      console.error("aiopen: " + lost.length + " widget output(s) still show no view after " + HEAL_ROUNDS +
                    " re-runs; restart the kernel (Kernel > Restart) and reload the page");
      document.body.setAttribute("data-aiopen-autorun", "incomplete");
      return;
    }
    setTimeout(function () { checkViews(round, ranAt); }, 500);
  }

  function runAll() {
    Jupyter.notebook.execute_all_cells();
    document.body.setAttribute("data-aiopen-autorun", "started");
    setTimeout(function () { checkViews(0, null); }, 500);
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

  // A cell run in this page (it has a last_msg_id) shows live views already. The
  // notebook object is sealed, so the method is wrapped on its prototype.
  function keepLiveOutputs() {
    var notebook = Object.getPrototypeOf(Jupyter.notebook);
    var render = notebook.render_cell_output;
    notebook.render_cell_output = function (cell) {
      if (!cell.last_msg_id) { render.call(this, cell); }
    };
  }

  function load_ipython_extension() {
    keepLiveOutputs();
    startRise();
    events.on("kernel_ready.Kernel", function () { whenReady(autorun); });
    whenReady(autorun);
  }

  return { load_ipython_extension: load_ipython_extension };
});
