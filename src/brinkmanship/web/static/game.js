// brinkmanship: the little JavaScript the pages need. Our own code, no libraries.
// A game's secret player token lives in this browser's localStorage (never in a cookie,
// never sent anywhere but the API's Authorization header); a private link carries it in
// the URL fragment (#token=...), which browsers never send to a server.
(function () {
  "use strict";

  var TOKEN_PREFIX = "brink-token:";

  function tokenKey(id) {
    return TOKEN_PREFIX + id;
  }

  function say(el, text) {
    if (el) {
      el.textContent = text;
    }
  }

  function postJSON(url, body, token) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
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
      postJSON("/api/games", body, null)
        .then(function (r) {
          if (!r.ok) {
            say(status, r.data.detail || "The server refused the game (" + r.status + ").");
            button.disabled = false;
            return;
          }
          localStorage.setItem(tokenKey(r.data.id), r.data.token);
          window.location.assign(r.data.play_url);
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
    var match = window.location.hash.match(/token=([A-Za-z0-9_-]+)/);
    if (match) {
      localStorage.setItem(tokenKey(id), match[1]);
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
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
    var token = localStorage.getItem(tokenKey(id));
    var status = document.getElementById("status");
    var button = document.getElementById("decide");
    if (!token) {
      form.querySelectorAll("input, button").forEach(function (el) {
        el.disabled = true;
      });
      document.getElementById("no-token").hidden = false;
      return;
    }
    var copy = document.getElementById("copy-link");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var link = window.location.origin + window.location.pathname + "#token=" + token;
        navigator.clipboard.writeText(link).then(
          function () {
            say(status, "Private link copied. Anyone with it can play this game.");
          },
          function () {
            say(status, "Could not copy the link.");
          }
        );
      });
    }
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
      var body = { action: picked.value, at_tick: Number(form.getAttribute("data-tick")) };
      postJSON("/api/games/" + encodeURIComponent(id) + "/choices", body, token)
        .then(function (r) {
          if (r.ok) {
            sessionStorage.setItem("brink-moved", id);
            window.location.reload();
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

  // --- the game list: mark the games this browser can play ---------------------------
  function markMine() {
    document.querySelectorAll("tr[data-game-id]").forEach(function (row) {
      if (localStorage.getItem(tokenKey(row.getAttribute("data-game-id")))) {
        var mark = row.querySelector(".mine");
        if (mark) {
          mark.hidden = false;
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("new-game");
    if (form) {
      setUpNewGame(form);
    }
    var main = document.querySelector("main[data-game-id]");
    if (main && main.getAttribute("data-mode") === "play") {
      setUpGame(main);
    }
    markMine();
  });
})();
