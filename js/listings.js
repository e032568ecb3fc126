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
    // On a phone a diagram is scaled down to the page until its text cannot
    // be read, and mdBook's zoom (a click ticks the checkbox of the label
    // around the image) only scales it to the screen again: there, a tap
    // opens the diagram's own file, at full size, to pan and pinch. On a
    // wider screen the click still opens mdBook's zoom.
    const narrow = window.matchMedia('(max-width: 700px)');
    document.querySelectorAll('main img[src$=".svg"]').forEach((img) => {
        if (img.closest('a') || img.closest('.img-wrapper')) return;
        const link = document.createElement('a');
        link.href = img.getAttribute('src');
        link.className = 'full-size-diagram';
        link.title = 'Open the diagram at full size';
        img.replaceWith(link);
        link.append(img);
        const zoom = link.parentElement.querySelector(':scope > .checkbox-img');
        link.addEventListener('click', (event) => {
            if (narrow.matches || !zoom) return;
            event.preventDefault();
            zoom.checked = !zoom.checked;
        });
    });
})();

(function tableLabels() {
    // A stacked table (css/listings.css, .stacked-table) shows each cell
    // under its column's name, taken from the header.
    document.querySelectorAll('main table').forEach((table) => {
        const names = Array.from(table.querySelectorAll('thead th')).map((th) => th.textContent.trim());
        table.querySelectorAll('tbody tr').forEach((row) => {
            Array.from(row.children).forEach((cell, column) => {
                if (names[column]) cell.dataset.label = names[column];
            });
        });
    });
})();

(function commandPrompts() {
    // A `console` block shows `$ ` before each command, but the copy button
    // copies the block's text (innerText): the prompt is drawn by CSS
    // instead (.command-prompt::before), so the copied text is the command
    // alone. highlight.js has put each prompt in a span of its own.
    document.querySelectorAll('pre > code.language-console .hljs-meta').forEach((meta) => {
        if (meta.textContent.trim() !== '$') return;
        const prompt = document.createElement('span');
        prompt.className = 'command-prompt';
        prompt.setAttribute('aria-hidden', 'true');
        meta.replaceWith(prompt);
        // The command starts with the space that followed the `$`.
        let next = prompt.nextSibling;
        if (next && next.nodeType !== Node.TEXT_NODE) {
            next = document.createTreeWalker(next, NodeFilter.SHOW_TEXT).nextNode();
        }
        if (next) next.textContent = next.textContent.replace(/^ /, '');
    });
})();

(function wideTables() {
    // A table wider than the page scrolls sideways inside mdBook's
    // .table-wrapper; on a phone nothing shows that the last columns exist.
    // Such a table gets a line above it that says so (css/listings.css).
    // Fonts and the window's size change the widths: watch both boxes.
    const mark = (wrapper) => wrapper.classList.toggle('scrolls-sideways', wrapper.scrollWidth > wrapper.clientWidth + 1);
    document.querySelectorAll('main .table-wrapper').forEach((wrapper) => {
        mark(wrapper);
        const watcher = new ResizeObserver(() => mark(wrapper));
        watcher.observe(wrapper);
        if (wrapper.firstElementChild) watcher.observe(wrapper.firstElementChild);
    });
})();
