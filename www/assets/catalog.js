// The demo catalogue, and the search the search page runs over it (client-side: no backend).
window.CATALOG = [
  { name: 'Trail Thermos 0.75 l', category: 'Kitchen', url: '/shop/trail-thermos.html', text: 'steel flask tea coffee hot' },
  { name: 'Merino Hiking Socks', category: 'Clothing', url: '/shop/trail-thermos.html', text: 'wool socks warm' },
  { name: 'Wool Beanie', category: 'Clothing', url: '/shop/trail-thermos.html', text: 'wool hat winter' },
  { name: 'Canvas Daypack 22 l', category: 'Bags', url: '/shop/trail-thermos.html', text: 'backpack bag hiking' },
  { name: 'Enamel Camp Mug', category: 'Kitchen', url: '/shop/trail-thermos.html', text: 'cup coffee tea camp' },
  { name: 'Down Sleeping Bag', category: 'Sleep', url: '/shop/trail-thermos.html', text: 'warm camping night' },
];
window.searchCatalog = function (query, category) {
  var words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
  return window.CATALOG.filter(function (p) {
    var hay = (p.name + ' ' + p.text + ' ' + p.category).toLowerCase();
    return (!category || p.category === category) && words.every(function (w) { return hay.indexOf(w) >= 0; });
  });
};
