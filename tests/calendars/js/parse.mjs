// Read an iCalendar document on stdin with ical.js; print its components as JSON on stdout.
// Times are given as UTC ISO strings, computed with the document's own VTIMEZONEs.
import ICAL from "ical.js";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;

const root = new ICAL.Component(ICAL.parse(input));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}
const utc = (prop, comp) => {
  const value = comp.getFirstPropertyValue(prop);
  if (!value) return null;
  return value.isDate ? value.toString() : value.toJSDate().toISOString();
};
const out = {
  name: root.getFirstPropertyValue("name"),
  refresh: root.getFirstProperty("refresh-interval")?.getFirstValue()?.toString() ?? null,
  timezones: root.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
  events: root.getAllSubcomponents("vevent").map((e) => ({
    uid: e.getFirstPropertyValue("uid"),
    summary: e.getFirstPropertyValue("summary"),
    location: e.getFirstPropertyValue("location"),
    status: e.getFirstPropertyValue("status"),
    sequence: e.getFirstPropertyValue("sequence"),
    tzid: e.getFirstProperty("dtstart").getParameter("tzid") ?? null,
    start: utc("dtstart", e),
    end: utc("dtend", e),
  })),
  todos: root.getAllSubcomponents("vtodo").map((t) => ({ uid: t.getFirstPropertyValue("uid"), due: utc("due", t) })),
};
process.stdout.write(JSON.stringify(out));
