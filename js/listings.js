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

(function stackedNarrowTables() {
    // A table that scrolls sideways keeps its first column in view
    // (css/listings.css: sticky). When that column alone takes half the
    // width or more (long listing names, Python expressions), the columns
    // scrolling under it would have no room: such a table is shown as
    // cards instead, one per row, each cell under its column's name, like
    // choosing.md's (.stacked-table). Decided again when the window changes.
    const wrappers = Array.from(document.querySelectorAll('main .table-wrapper'));
    const decide = () => wrappers.forEach((wrapper) => {
        wrapper.classList.remove('stacked-table');
        const first = wrapper.querySelector('tr > :first-child');
        const scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
        const columnWidth = Math.max(0, ...Array.from(wrapper.querySelectorAll('tr > :first-child'), (cell) => cell.getBoundingClientRect().width));
        if (first && scrolls && columnWidth >= wrapper.clientWidth / 2) wrapper.classList.add('stacked-table');
    });
    decide();
    window.addEventListener('resize', decide);
    document.fonts?.ready.then(decide);
})();

(function sidebarToggle() {
    // mdBook's sidebar button is a <label> for a hidden checkbox: the
    // keyboard cannot reach it, and a label may not carry the aria-label and
    // aria-expanded that book.js gives it (axe-core: aria-prohibited-attr,
    // aria-allowed-attr). As a button it may, and the keyboard can use it.
    const toggle = document.getElementById('mdbook-sidebar-toggle');
    if (!toggle || toggle.tagName !== 'LABEL') return;
    toggle.setAttribute('role', 'button');
    toggle.tabIndex = 0;
    toggle.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        toggle.click();
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

(function wholeProgramCopies() {
    // mdBook's copy button copies what the block shows (its innerText): the
    // hidden lines of an anchored listing are left out, and the copy does not
    // compile. A Rust block's button copies the whole program instead: the
    // code's full text, hidden lines included (mdBook has already taken out
    // their `# ` markers). This runs in the capture phase, before the
    // ClipboardJS listener that book.js puts on the body, and stops the click
    // there; the "Copied!" tooltip works as mdBook's does.
    const rustCode = (button) => button.closest('pre')?.querySelector(':scope > code.language-rust');
    document.querySelectorAll('pre > code.language-rust').forEach((code) => {
        const button = code.parentElement.querySelector('.buttons .clip-button');
        if (!button || !code.querySelector('.boring')) return;
        button.title = 'Copy the whole program';
        button.setAttribute('aria-label', button.title);
    });
    document.addEventListener('click', (event) => {
        const button = event.target.closest?.('.clip-button');
        const code = button && rustCode(button);
        if (!code) return;
        event.stopPropagation();
        const copied = copy(code.textContent.replace(/\n*$/, '\n'));
        button.focus();
        button.firstChild.innerText = copied ? 'Copied!' : 'Clipboard error!';
        button.className = 'clip-button tooltipped';
    }, true);
    // As ClipboardJS copies (its version in mdBook has no copy function of
    // its own): the selected text of a text area out of view. Unlike
    // navigator.clipboard, this works in a book opened from a file.
    function copy(text) {
        const area = document.createElement('textarea');
        area.value = text;
        area.readOnly = true;
        area.style.position = 'fixed';
        area.style.left = '-9999px';
        document.body.append(area);
        area.select();
        let copied = false;
        try {
            copied = document.execCommand('copy');
        } finally {
            area.remove();
        }
        return copied;
    }
})();

(function keyboardScrollRegions() {
    // A code block or a table wider than the page scrolls sideways; with the
    // mouse or a finger only, unless it can take the keyboard's focus (then
    // the arrow keys scroll it). Each such box gets into the tab order, with
    // a name a screen reader announces. Fonts and the window's size change
    // the widths: watch both boxes.
    const regions = [
        ...Array.from(document.querySelectorAll('main pre > code'), (box) => [box, 'Code']),
        ...Array.from(document.querySelectorAll('main .table-wrapper'), (box) => [box, 'Table']),
    ];
    regions.forEach(([box, kind]) => {
        const describe = () => {
            const caption = box.closest('pre, .table-wrapper')?.previousElementSibling;
            const name = caption?.matches('p.caption') ? caption.textContent.split('·')[0].trim() : '';
            return name ? `${kind}: ${name}, scrolls sideways` : `${kind}, scrolls sideways`;
        };
        const mark = () => {
            const scrolls = box.scrollWidth > box.clientWidth + 1;
            if (scrolls && !box.hasAttribute('tabindex')) {
                box.tabIndex = 0;
                box.setAttribute('role', 'region');
                box.setAttribute('aria-label', describe());
            } else if (!scrolls && box.hasAttribute('tabindex')) {
                box.removeAttribute('tabindex');
                box.removeAttribute('role');
                box.removeAttribute('aria-label');
            }
        };
        mark();
        const watcher = new ResizeObserver(mark);
        watcher.observe(box);
        if (box.firstElementChild) watcher.observe(box.firstElementChild);
    });
})();

(function captionNames() {
    // A listing's name is hyphenated, and a browser may break a line after
    // any hyphen: "print-" on one line, "numbers-fork" on the next. Each word
    // of a caption's code is kept whole; the caption still wraps between its
    // items, a long command between its words, and a path after a slash
    // (listings/threads/ above NAME/Cargo.toml).
    const unbroken = (text) => {
        const word = document.createElement('span');
        word.className = 'unbroken';
        word.textContent = text;
        return word;
    };
    document.querySelectorAll('main p.caption code').forEach((code) => {
        if (code.children.length > 0) return;
        const parts = code.textContent.split(/(\s+)/).flatMap((part) => {
            if (part === '' || /^\s+$/.test(part)) return [document.createTextNode(part)];
            return part.match(/[^/]*\/|[^/]+$/g).flatMap((segment, index) =>
                index === 0 ? [unbroken(segment)] : [document.createElement('wbr'), unbroken(segment)]);
        });
        code.replaceChildren(...parts);
    });
})();
