// brinkmanship: the little JavaScript the pages need. Our own code, no libraries.
// A game's tokens never pass through this script's storage: the server keeps them in
// HttpOnly cookies when a game's link (/games/ID?token=...) is opened, and a choice made
// here is authorised by that cookie together with the X-Brink-Page header.
(function () {
  "use strict";

  var PAGE_HEADER = "X-Brink-Page";

  function say(el, text) {
    if (el) {
      el.textContent = text;
    }
  }

  function postJSON(url, body) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    headers[PAGE_HEADER] = "1";
    return fetch(url, { method: "POST", headers: headers, body: JSON.stringify(body) }).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            return { ok: response.ok, status: response.status, data: data };
          });
      }
    );
  }

  // --- the new-game form -------------------------------------------------------------
  function setUpNewGame(form) {
    var scenario = form.querySelector("#scenario");
    var status = form.querySelector("#status");
    var button = form.querySelector("button[type=submit]");

    function showScenario() {
      form.querySelectorAll(".per-scenario").forEach(function (block) {
        var on = block.getAttribute("data-scenario") === scenario.value;
        block.hidden = !on;
        block.querySelectorAll("input").forEach(function (input) {
          input.disabled = !on;
        });
      });
    }
    scenario.addEventListener("change", showScenario);
    showScenario();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var sc = scenario.value;
      var side = form.querySelector("input[name='side-" + sc + "']:checked");
      var interventions = Array.prototype.map.call(
        form.querySelectorAll("input[name='iv-" + sc + "']:checked"),
        function (input) {
          return input.value;
        }
      );
      var seedText = form.querySelector("#seed").value.trim();
      if (!/^[0-9]+$/.test(seedText)) {
        say(status, "The seed must be a whole number, 0 or more.");
        form.querySelector("#seed").focus();
        return;
      }
      var opponent = form.querySelector("#opponent").value;
      var body = {
        scenario: sc,
        side: side ? side.value : "",
        opponent: opponent || null,
        seed: Number(seedText),
        interventions: interventions,
      };
      button.disabled = true;
      say(status, "Setting up the game…");
      postJSON("/api/games", body)
        .then(function (r) {
          if (!r.ok) {
            say(status, r.data.detail || "The server refused the game (" + r.status + ").");
            button.disabled = false;
            return;
          }
          // The server keeps the token in a cookie and redirects to the clean address.
          window.location.replace(r.data.play_link);
        })
        .catch(function () {
          say(status, "The server could not be reached; no game was started.");
          button.disabled = false;
        });
    });
  }

  // --- the game screen ---------------------------------------------------------------
  function setUpGame(main) {
    var id = main.getAttribute("data-game-id");
    if (sessionStorage.getItem("brink-moved") === id) {
      sessionStorage.removeItem("brink-moved");
      var clock = document.getElementById("clock");
      if (clock) {
        window.scrollTo(0, 0);
        clock.focus();
      }
    }
    var form = document.getElementById("choose");
    if (!form) {
      return;
    }
    var status = document.getElementById("status");
    var button = document.getElementById("decide");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = form.querySelector("input[name=action]:checked");
      if (!picked) {
        say(status, "Pick one of the choices first.");
        var first = form.querySelector("input[name=action]");
        if (first) {
          first.focus();
        }
        return;
      }
      button.disabled = true;
      say(status, "Deciding…");
      var then = Array.prototype.map
        .call(form.querySelectorAll("select.then-order"), function (select) {
          return select.value;
        })
        .filter(Boolean);
      var body = { action: picked.value, at_tick: Number(form.getAttribute("data-tick")) };
      if (then.length) {
        body.then = then;
      }
      postJSON("/api/games/" + encodeURIComponent(id) + "/choices", body)
        .then(function (r) {
          if (r.ok) {
            sessionStorage.setItem("brink-moved", id);
            leave();
            return;
          }
          say(status, r.data.detail || "The choice was refused (" + r.status + ").");
          button.disabled = false;
        })
        .catch(function () {
          say(status, "The server could not be reached; the choice was not made. Try again.");
          button.disabled = false;
        });
    });
  }

  // --- a link of the first web version carried the token in the fragment (#token=...) --
  function fromFragment() {
    var game = window.location.pathname.match(/^\/games\/([A-Za-z0-9_-]+)/);
    var token = window.location.hash.match(/token=([A-Za-z0-9_-]+)/);
    if (game && token) {
      window.location.replace("/games/" + game[1] + "?token=" + token[1]);
      return true;
    }
    return false;
  }

  // --- the class form ---------------------------------------------------------------
  function setUpNewClass(form) {
    var scenario = form.querySelector("#class-scenario");
    var status = form.querySelector("#status");
    var button = form.querySelector("button[type=submit]");

    function showScenario() {
      form.querySelectorAll(".per-scenario").forEach(function (block) {
        var on = block.getAttribute("data-scenario") === scenario.value;
        block.hidden = !on;
        block.querySelectorAll("select").forEach(function (el) {
          el.disabled = !on;
        });
      });
    }
    scenario.addEventListener("change", showScenario);
    showScenario();

    function showFields(fields) {
      form.querySelectorAll("[data-field]").forEach(function (el) {
        el.textContent = "";
      });
      Object.keys(fields || {}).forEach(function (name) {
        var el = form.querySelector("[data-field='" + name + "']");
        if (el) {
          el.textContent = fields[name];
        }
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var seats = {};
      form
        .querySelectorAll("select[name='seat-" + scenario.value + "']")
        .forEach(function (el) {
          seats[el.getAttribute("data-actor")] = el.value;
        });
      var body = {
        scenario: scenario.value,
        games: Number(form.querySelector("#class-games").value),
        timer: Number(form.querySelector("#class-timer").value),
        seats: seats,
        title: form.querySelector("#class-title").value.trim(),
      };
      button.disabled = true;
      say(status, "Setting up the class…");
      postJSON("/api/classes", body)
        .then(function (r) {
          if (!r.ok) {
            showFields(r.data.fields);
            say(
              status,
              r.data.fields
                ? "No class was set up: each problem is shown by its field above."
                : r.data.detail || "The server refused the class (" + r.status + ")."
            );
            button.disabled = false;
            return;
          }
          window.location.assign(r.data.teacher_link);
        })
        .catch(function () {
          say(status, "The server could not be reached; no class was set up.");
          button.disabled = false;
        });
    });
  }

  // --- live pages: server-sent events --------------------------------------------------
  var leaving = false;
  var live = null;

  // Reload the page once (a choice and a live event may both ask for it).
  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    if (live) {
      live.close();
    }
    window.location.reload();
  }

  function countDown() {
    var el = document.getElementById("countdown");
    if (!el) {
      return;
    }
    var left = Number(el.getAttribute("data-left"));
    var started = Date.now();
    window.setInterval(function () {
      var now = Math.max(0, Math.round(left - (Date.now() - started) / 1000));
      el.textContent = String(now);
    }, 1000);
  }

  function followGame(main) {
    if (!window.EventSource) {
      return;
    }
    var id = main.getAttribute("data-game-id");
    var seat = main.getAttribute("data-seat");
    var tick = Number(main.getAttribute("data-tick"));
    var pending = (main.getAttribute("data-pending") || "").split(" ").filter(Boolean);
    var mine = pending.indexOf(seat) >= 0;
    var source = new EventSource("/api/games/" + encodeURIComponent(id) + "/events");
    live = source;
    source.addEventListener("change", function (event) {
      var turn = JSON.parse(event.data);
      var stillMine = turn.pending.indexOf(seat) >= 0;
      if (turn.finished || turn.tick !== tick || stillMine !== mine) {
        leave();
        return;
      }
      var el = document.getElementById("pending");
      if (el) {
        var names = JSON.parse(el.getAttribute("data-names") || "{}");
        el.textContent = turn.pending
          .map(function (s) {
            return names[s] || s;
          })
          .join(", ");
      }
    });
  }

  // The teacher's page: replace a seat's invite link (the old one is revoked).
  function setUpNewLinks(main) {
    var id = main.getAttribute("data-class-id");
    var status = document.getElementById("class-status");
    main.querySelectorAll("button.new-link").forEach(function (button) {
      button.addEventListener("click", function () {
        var game = button.getAttribute("data-game");
        var seat = button.getAttribute("data-seat");
        button.disabled = true;
        var url =
          "/api/classes/" + encodeURIComponent(id) + "/games/" + encodeURIComponent(game) +
          "/seats/" + encodeURIComponent(seat) + "/link";
        postJSON(url, {})
          .then(function (r) {
            if (!r.ok) {
              say(status, r.data.detail || "The server refused the new link (" + r.status + ").");
              button.disabled = false;
              return;
            }
            var input = button.parentNode.querySelector("input.link");
            if (input) {
              input.value = window.location.origin + r.data.invite;
            }
            var name = button.getAttribute("data-name") || seat;
            say(status, "New link for " + name + ": the old one no longer opens the game.");
            button.disabled = false;
          })
          .catch(function () {
            say(status, "The server could not be reached; the link was not replaced.");
            button.disabled = false;
          });
      });
    });
  }

  function followClass(main) {
    if (!window.EventSource) {
      return;
    }
    var id = main.getAttribute("data-class-id");
    var first = true;
    var source = new EventSource("/api/classes/" + encodeURIComponent(id) + "/events");
    source.addEventListener("change", function () {
      if (first) {
        first = false;
        return;
      }
      source.close();
      window.setTimeout(function () {
        window.location.reload();
      }, 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (fromFragment()) {
      return;
    }
    var classForm = document.getElementById("new-class");
    if (classForm) {
      setUpNewClass(classForm);
    }
    var live = document.querySelector("main[data-live]");
    if (live) {
      countDown();
      followGame(live);
    }
    var klass = document.querySelector("main[data-class-id]");
    if (klass) {
      setUpNewLinks(klass);
      followClass(klass);
    }
    var form = document.getElementById("new-game");
    if (form) {
      setUpNewGame(form);
    }
    var main = document.querySelector("main[data-game-id]");
    if (main && main.getAttribute("data-mode") === "play") {
      setUpGame(main);
    }
  });
})();
