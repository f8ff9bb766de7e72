// The filter panel's counts on a browse page (templates/catalog/partials/results.html). Choosing a filter
// swaps the results only, so that the panel stays as the shopper left it: open, its "more" lists unfolded,
// the boxes ticked, the focus on the box just clicked. The answer carries the facets again, with the counts
// for the filters now chosen, out of band (#facet-counts, catalog/partials/facet_counts.html); this reads
// them into the panel instead of swapping it: each count put in place, a value the other filters now let
// in added at the end of its list, (0) for a value they now leave out. No box is replaced.
(function () {
  if (window.encoreFacetCounts) {
    return; // loaded again by a boosted navigation: one listener is enough
  }
  window.encoreFacetCounts = true;

  function items(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("li[data-value]"));
  }

  function setCount(item, text, none) {
    var count = item.querySelector(".count");
    if (count) {
      count.textContent = text;
    }
    item.classList.toggle("facet-none", none);
  }

  function merge(panel, fresh) {
    var anchor = panel.querySelector("fieldset.price-range");
    var counted = {};
    Array.prototype.forEach.call(fresh.querySelectorAll("fieldset[data-facet]"), function (freshSet) {
      var name = freshSet.getAttribute("data-facet");
      var panelSet = panel.querySelector('fieldset[data-facet="' + name + '"]');
      counted[name] = {};
      items(freshSet).forEach(function (item) {
        counted[name][item.getAttribute("data-value")] = true;
      });
      if (!panelSet) {
        // A facet with no value before (nothing matched): it comes whole.
        if (anchor) {
          anchor.parentNode.insertBefore(document.importNode(freshSet, true), anchor);
        }
        return;
      }
      var shown = {};
      items(panelSet).forEach(function (item) {
        shown[item.getAttribute("data-value")] = item;
      });
      var list = panelSet.querySelector("ul.facet-values");
      items(freshSet).forEach(function (freshItem) {
        var item = shown[freshItem.getAttribute("data-value")];
        if (item) {
          setCount(item, freshItem.querySelector(".count").textContent, false);
        } else if (list) {
          list.appendChild(document.importNode(freshItem, true));
        }
      });
    });
    Array.prototype.forEach.call(panel.querySelectorAll("fieldset[data-facet]"), function (panelSet) {
      var name = panelSet.getAttribute("data-facet");
      items(panelSet).forEach(function (item) {
        if (!(counted[name] && counted[name][item.getAttribute("data-value")])) {
          setCount(item, "(0)", true);
        }
      });
    });
    ["low", "high"].forEach(function (end) {
      var input = panel.querySelector(end === "low" ? "input[name=min]" : "input[name=max]");
      if (input) {
        input.placeholder = fresh.getAttribute("data-price-" + end) || "";
      }
    });
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    if (!detail || !detail.target || detail.target.id !== "facet-counts") {
      return;
    }
    var panel = document.getElementById("browse-filters");
    var fresh = detail.fragment && detail.fragment.querySelector("[data-price-low]");
    if (!panel || !fresh) {
      return; // left to htmx: the fragment lands in the hidden #facet-counts
    }
    detail.shouldSwap = false;
    merge(panel, fresh);
  });
})();
