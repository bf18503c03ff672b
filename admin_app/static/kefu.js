/* 客服台账: page behaviour bound here, because the Content-Security-Policy runs no inline handler.
 *   data-confirm="问题"       ask before the click goes on (delete buttons)
 *   data-action="name"        run a Flask-Admin list action on the ticked rows
 *   data-inline-add="id"      add a line-item form
 *   data-history-back         go back one page
 *   data-check-all="name"     a check box that ticks every input[name=name]
 *   data-autosubmit           submit the form when the value changes
 *   data-print                open the browser's print dialog (the printed forms)
 */
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var asking = target.closest('[data-confirm]');
    if (asking && !window.confirm(asking.getAttribute('data-confirm'))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var action = target.closest('[data-action]');
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute('data-action'));
      return;
    }
    var adding = target.closest('[data-inline-add]');
    if (adding && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(adding, adding.getAttribute('data-inline-add'));
      return;
    }
    if (target.closest('[data-print]')) {
      window.print();
      return;
    }
    if (target.closest('[data-history-back]')) {
      event.preventDefault();
      window.history.back();
      return;
    }
    if (target.closest('a[href^="javascript:"]')) {
      event.preventDefault(); // menu placeholders of Flask-Admin: their scripts do the work
    }
  });

  document.addEventListener('change', function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var group = target.getAttribute('data-check-all');
    if (group) {
      document.querySelectorAll('input[name="' + group + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.hasAttribute('data-autosubmit') && target.form) {
      target.form.submit();
    }
  });
})();
