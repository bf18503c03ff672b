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
    if (target.classList.contains('custom-file-input') && target.files && target.files.length) {
      var caption = target.parentElement.querySelector('.custom-file-label');
      if (caption) {
        caption.textContent = target.files[0].name; // Bootstrap's file box shows the chosen file's name
      }
    }
    if (target.hasAttribute('data-autosubmit') && target.form) {
      target.form.submit();
    }
  });
})();

/* Flask-Admin's widgets speak English: Chinese for its date pickers (month and day names from moment,
 * the buttons by wrapping the plugin before form.js's ready handler uses it) and for Select2's messages. */
(function ($, moment) {
  'use strict';
  if (moment) {
    moment.locale('zh-cn', {
      months: '一月_二月_三月_四月_五月_六月_七月_八月_九月_十月_十一月_十二月'.split('_'),
      monthsShort: '1月_2月_3月_4月_5月_6月_7月_8月_9月_10月_11月_12月'.split('_'),
      weekdays: '星期日_星期一_星期二_星期三_星期四_星期五_星期六'.split('_'),
      weekdaysShort: '周日_周一_周二_周三_周四_周五_周六'.split('_'),
      weekdaysMin: '日_一_二_三_四_五_六'.split('_'),
      week: {dow: 1, doy: 4}
    });
  }
  if (!$) {
    return;
  }
  if ($.fn.select2) {
    $.extend($.fn.select2.defaults, {
      formatNoMatches: function () { return '没有找到匹配项'; },
      formatInputTooShort: function (input, min) { return '请再输入 ' + (min - input.length) + ' 个字'; },
      formatInputTooLong: function (input, max) { return '请删掉 ' + (input.length - max) + ' 个字'; },
      formatSelectionTooBig: function (limit) { return '最多只能选择 ' + limit + ' 项'; },
      formatLoadMore: function () { return '正在加载更多…'; },
      formatSearching: function () { return '正在搜索…'; },
      formatAjaxError: function () { return '查询失败,请稍后重试'; }
    });
  }
  var ZH = {applyLabel: '确定', cancelLabel: '取消', fromLabel: '从', toLabel: '到', weekLabel: '周',
            customRangeLabel: '自定义'};
  $(function () {
    var original = $.fn.daterangepicker;
    if (!original) {
      return;
    }
    $.fn.daterangepicker = function (options, callback) {
      var given = options || {};
      return original.call(this, $.extend({}, given, {locale: $.extend({}, ZH, given.locale)}), callback);
    };
  });
})(window.jQuery, window.moment);
