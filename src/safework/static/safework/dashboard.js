// safework dashboard: draw every chart of the page from its JSON options; a click on a
// bar, slice or point opens the list behind it (the option's data item "link").
(function () {
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-options"));
    if (!source || !window.echarts) { return; }
    var options = JSON.parse(source.textContent);
    if (options.tooltip && options.tooltip.valueFormatter === "percent") {
      options.tooltip.valueFormatter = function (v) { return v == null ? "—" : v + "%"; };
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(options);
    chart.on("click", function (params) {
      if (params.data && params.data.link) { window.location.href = params.data.link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
