// The kit's classic-notebook extension, enabled by `make present`. It acts only on a
// notebook whose metadata asks for it, {"aiopen": {"autorun": true}} (the deck); every
// other notebook on the server is left exactly as nbclassic shows it.
//
// For the deck it: switches autosave off (presenting never writes the tracked deck);
// starts RISE if RISE's own autolaunch did not; runs every cell once the kernel is
// connected, the widget manager is attached and RISE has laid the cells out as slides;
// on a reloaded page whose kernel already ran the deck, deletes that session and loads
// the page again onto a fresh kernel; leaves the outputs of cells run in this page alone
// when ipywidgets' manager re-renders widget outputs late; and, after the run, runs again
// any cell whose widget view is gone (at most twice).
//
// Every wait has a deadline (``DEADLINES_S``; the deck's metadata may set others in
// "aiopen": {"deadlines_s": {...}}). When one runs out, a notice on the page says what did
// not happen and what to do, and <body data-aiopen-autorun> reads "timed-out" (with
// data-aiopen-waited naming the wait). Otherwise it reads "started", then "done" once every
// view is up ("incomplete" if views stay lost after the re-runs).
//
// nbclassic's events are used where one exists (notebook_loaded, kernel_ready, execute and
// finished_execute of a cell); RISE and the widget manager announce nothing, so their state
// is polled within a deadline. Why each step is needed, and how the route was found:
// docs/architecture.md, "The autorun extension".
define(["jquery", "base/js/namespace", "base/js/events"], function ($, Jupyter, events) {
  "use strict";

  var WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
  var RAN_BEFORE = "__import__('sys').modules.get('aiopen.widgets') is not None";
  var HEAL_ROUNDS = 2;
  var POLL_MS = 100;
  var DEADLINES_S = {
    rise: 60,     // RISE registers its slideshow action
    kernel: 180,  // the kernel connects, the widget manager attaches, RISE lays out the slides, the kernel answers
    run: 600,     // every cell has run to its end
    views: 20     // a widget output shows its view once its cell has run
  };
  var WHAT = {
    rise: ["RISE did not start", "check that RISE is installed (make check), then reload the page"],
    kernel: ["the kernel did not become ready", "restart the kernel (Kernel > Restart) and reload the page"],
    run: ["the deck's cells did not finish running", "look for a cell still running (In [*]) or restart the kernel and reload the page"],
    views: ["some widgets did not appear", "restart the kernel (Kernel > Restart) and reload the page"]
  };

  var ranHere = new WeakSet();    // cells executed in this page: their widget outputs hold live views
  var finished = new WeakSet();   // cells whose execution ended (the reply and every output came)
  var started = false;

  function settings() { return (Jupyter.notebook && Jupyter.notebook.metadata.aiopen) || {}; }
  function asksForIt() { return settings().autorun === true; }

  function deadlineMs(what) {
    var own = settings().deadlines_s || {};
    return 1000 * (typeof own[what] === "number" ? own[what] : DEADLINES_S[what]);
  }

  function setState(state) { document.body.setAttribute("data-aiopen-autorun", state); }

  // A notice on top of the page (and of RISE's slides), in plain words.
  function notice(text) {
    var box = document.getElementById("aiopen-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "aiopen-notice";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:100000;padding:10px 20px;background:#FFF4DC;" +
        "border-bottom:3px solid #E69F00;color:#222222;font:17px/1.4 sans-serif";
      document.body.appendChild(box);
    }
    box.textContent = text;
  }

  function clearNotice() {
    var box = document.getElementById("aiopen-notice");
    if (box) { box.remove(); }
    document.body.removeAttribute("data-aiopen-waited");
  }

  function timedOut(what, detail) {
    var seconds = deadlineMs(what) / 1000;
    var message = "The live deck is not ready: " + WHAT[what][0] + " within " + seconds + " s" +
      (detail ? " (" + detail + ")" : "") + ". To fix it, " + WHAT[what][1] + ".";
    console.error("aiopen: " + message);
    document.body.setAttribute("data-aiopen-waited", what);
    setState("timed-out");
    notice(message);
  }

  // Call ``then`` once ``test()`` holds: checked now, on each of ``eventNames`` and every
  // POLL_MS; when ``what``'s deadline passes first, say so instead.
  function waitFor(what, test, eventNames, then) {
    var deadline = Date.now() + deadlineMs(what);
    var timer = null;
    var done = false;
    function check() {
      if (done) { return; }
      if (test()) {
        done = true;
        clearTimeout(timer);
        if (eventNames) { events.off(eventNames, check); }
        then();
      } else if (Date.now() > deadline) {
        done = true;
        if (eventNames) { events.off(eventNames, check); }
        timedOut(what);
      } else {
        timer = setTimeout(check, POLL_MS);
      }
    }
    if (eventNames) { events.on(eventNames, check); }
    check();
  }

  // -- RISE --------------------------------------------------------------------------------

  function riseIsOn() { return $("#maintoolbar").hasClass("reveal_tagging"); }

  // RISE's own autolaunch reads the notebook metadata when its config loads, which can be
  // before the notebook has loaded: then it does nothing. It runs in the promise chain that
  // registers RISE's action; one tick after the action exists it has started the show or not.
  function startRise() {
    waitFor("rise", function () { return Jupyter.actions.exists("RISE:slideshow"); }, null, function () {
      setTimeout(function () {
        if (!riseIsOn()) { Jupyter.actions.call("RISE:slideshow"); }
        document.body.setAttribute("data-aiopen-rise", "on");
      }, 0);
    });
  }

  // -- running the deck --------------------------------------------------------------------

  // Cells run only once RISE has moved them into its slide sections: moving a cell whose
  // widget views are attached detaches them. Earlier than the widget manager, outputs stay empty.
  function ready() {
    var kernel = Jupyter.notebook.kernel;
    return Boolean(kernel && kernel.is_connected() && kernel.widget_manager && riseIsOn());
  }

  function codeCells() {
    return Jupyter.notebook.get_cells().filter(function (cell) {
      return cell.cell_type === "code" && cell.get_text().trim().length > 0;
    });
  }

  function trackExecutions() {
    events.on("execute.CodeCell", function (_event, data) {
      ranHere.add(data.cell);
      finished.delete(data.cell);
    });
    events.on("finished_execute.CodeCell", function (_event, data) { finished.add(data.cell); });
  }

  // ipywidgets' classic manager, once the kernel has said which widgets exist, renders
  // every widget output again (notebook.render_cell_output). When that answer comes after
  // this page ran the cells, the re-render removes their live views and blanks their model
  // ids. Outputs of cells run here are live: for this deck they are left alone. The
  // notebook object is sealed, so the method is wrapped on its prototype (one notebook per page).
  function keepLiveOutputs() {
    var notebook = Object.getPrototypeOf(Jupyter.notebook);
    var render = notebook.render_cell_output;
    notebook.render_cell_output = function (cell) {
      if (!(asksForIt() && ranHere.has(cell))) { render.call(this, cell); }
    };
  }

  // A widget output whose view was removed (ipywidgets then blanks its model id), or that
  // still shows no view when ``graceOver``.
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

  function checkViews(round) {
    var cells = codeCells();
    waitFor("run", function () { return cells.every(function (cell) { return finished.has(cell); }); }, "finished_execute.CodeCell", function () {
      var ranAt = Date.now();
      (function look() {
        var graceOver = Date.now() - ranAt > deadlineMs("views");
        var lost = lostViews(cells, graceOver);
        var pending = !graceOver && lostViews(cells, true).length > 0;
        if (lost.length === 0 && !pending) {
          document.body.setAttribute("data-aiopen-reruns", String(round));
          clearNotice();  // a late answer may have come after its deadline: the deck is live now
          setState("done");
        } else if (lost.length > 0 && round < HEAL_ROUNDS) {
          console.warn("aiopen: " + lost.length + " widget output(s) lost their views; running those cells again");
          lost.forEach(function (cell) { cell.execute(); });
          checkViews(round + 1);
        } else if (lost.length > 0 && graceOver) {
          console.error("aiopen: " + lost.length + " widget output(s) still show no view after " + HEAL_ROUNDS + " re-runs");
          setState("incomplete");
          notice("The live deck is not ready: " + WHAT.views[0] + " (" + lost.length + " after " + HEAL_ROUNDS +
                 " re-runs). To fix it, " + WHAT.views[1] + ".");
        } else {
          setTimeout(look, 500);
        }
      })();
    });
  }

  function runAll() {
    Jupyter.notebook.execute_all_cells();
    setState("started");
    checkViews(0);
  }

  // Shut the old kernel down and load the page again: the new page gets a new session and a
  // fresh kernel, which is the first-load path (restarting in place raced the widget manager).
  function freshKernelThenReload() {
    var reload = function () { window.location.reload(); };
    Jupyter.notebook.session.delete(reload, reload);
  }

  // A kernel that already imported the kit ran this deck for an earlier page: its widget
  // models are unknown here.
  function autorun() {
    if (started) { return; }
    started = true;
    var answered = false;
    Jupyter.notebook.kernel.execute("", {
      shell: {
        reply: function (msg) {
          answered = true;
          var answer = (msg.content.user_expressions || {}).ran;
          var ranBefore = answer && answer.data && answer.data["text/plain"] === "True";
          if (ranBefore) { freshKernelThenReload(); } else { runAll(); }
        }
      }
    }, { silent: false, store_history: false, user_expressions: { ran: RAN_BEFORE } });
    setTimeout(function () { if (!answered) { timedOut("kernel", "no answer to its first request"); } }, deadlineMs("kernel"));
  }

  function presentDeck() {
    if (!asksForIt()) { return; }
    Jupyter.notebook.set_autosave_interval(0);
    trackExecutions();
    keepLiveOutputs();
    startRise();
    waitFor("kernel", ready, "kernel_ready.Kernel", autorun);
  }

  function load_ipython_extension() {
    // nbclassic has no public "already loaded" flag: the event when loading is still to
    // come, else the field it sets just before firing that event.
    if (Jupyter.notebook && Jupyter.notebook._fully_loaded) {
      presentDeck();
    } else {
      events.one("notebook_loaded.Notebook", presentDeck);
    }
  }

  return { load_ipython_extension: load_ipython_extension };
});
