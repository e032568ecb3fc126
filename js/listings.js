// Signposts that mdBook does not give by itself. Loaded after mdBook's
// book.js (book.toml, additional-js), so its eye and copy buttons exist.
'use strict';

(function hiddenLinesHint() {
    // A listing whose lines outside its anchor are hidden says how many, in a
    // visible bar under the code that works like the eye button.
    document.querySelectorAll('pre > code.hljs').forEach((code) => {
        const hidden = code.querySelectorAll('.boring');
        if (hidden.length === 0) return;
        const lines = Array.from(hidden).reduce(
            (count, span) => count + Math.max(1, span.textContent.replace(/\n$/, '').split('\n').length), 0);
        const eye = code.parentElement.querySelector('.buttons button[title="Show hidden lines"]');
        if (!eye) return;
        const hint = document.createElement('button');
        hint.type = 'button';
        hint.className = 'hidden-lines-hint';
        const label = () => {
            const shown = !code.classList.contains('hide-boring');
            const noun = lines === 1 ? 'line' : 'lines';
            hint.textContent = shown ? `Hide the ${lines} extra ${noun}` : `${lines} ${noun} hidden: show the whole program`;
            hint.setAttribute('aria-expanded', String(shown));
        };
        label();
        hint.addEventListener('click', () => eye.click());
        eye.addEventListener('click', label);
        code.parentElement.after(hint);
    });
})();

(function fullSizeDiagrams() {
    // On a narrow screen a diagram is scaled down until its text cannot be
    // read: every diagram links to its own file, shown at full size.
    document.querySelectorAll('main img[src$=".svg"]').forEach((img) => {
        if (img.closest('a')) return;
        const link = document.createElement('a');
        link.href = img.getAttribute('src');
        link.className = 'full-size-diagram';
        link.title = 'Open the diagram at full size';
        img.replaceWith(link);
        link.append(img);
    });
})();

(function tableLabels() {
    // A table stacked on a narrow screen (css/listings.css, .stacked-table)
    // shows each cell under its column's name, taken from the header.
    document.querySelectorAll('main table').forEach((table) => {
        const names = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent.trim());
        table.querySelectorAll('tbody tr').forEach((row) => {
            Array.from(row.children).forEach((cell, column) => {
                if (names[column]) cell.dataset.label = names[column];
            });
        });
    });
})();
