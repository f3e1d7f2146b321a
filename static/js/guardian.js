// Sign-up: show the parent or guardian fields only when the date of birth makes the person a
// minor. Progressive: without this script the fields are always shown, and the server decides.
(function () {
  "use strict";
  var fieldset = document.getElementById("guardian");
  var birth = document.getElementById("date_of_birth");
  if (!fieldset || !birth) { return; }
  var minorAge = parseInt(fieldset.getAttribute("data-minor-age"), 10);

  function age(born, today) {
    var years = today.getFullYear() - born.getFullYear();
    var beforeBirthday = today.getMonth() < born.getMonth() ||
      (today.getMonth() === born.getMonth() && today.getDate() < born.getDate());
    return beforeBirthday ? years - 1 : years;
  }

  function update() {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth.value);
    var hasErrors = fieldset.querySelector(".error") !== null;
    if (!match || hasErrors) {
      fieldset.hidden = false;
      return;
    }
    var born = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    fieldset.hidden = age(born, new Date()) >= minorAge;
  }

  birth.addEventListener("change", update);
  birth.addEventListener("input", update);
  update();
})();
