#!/usr/bin/python3
"""Count Catch2 test cases in an XML report (`-r xml -o FILE`); used by tools/check.

    catch2_report.py REPORT.xml EXIT_STATUS LOG    prints "PASSED FAILED" on stdout, failure details on stderr

A test case passes when its <OverallResult success="true"/> says so (so [!shouldfail] cases count right).
A report cut short by a crash still counts every finished test case; the one running when it stopped counts
as failed. A run that exited non-zero with no failing test case counts one failure, so nothing is lost.
"""

import sys
import xml.etree.ElementTree as ET

PROBLEM_TAGS = ("Expression", "Exception", "FatalErrorCondition", "Failure")


def describe(case, limit=10):
    """The failing assertions of one <TestCase> (at most `limit`), with their INFO/CAPTURE messages."""
    lines, shown, infos = [], 0, []
    for el in case.iter():
        if el.tag in ("Info", "Warning"):
            infos.append((el.text or "").strip())
            continue
        if el.tag not in PROBLEM_TAGS:
            continue
        context, infos = infos, []
        if el.tag == "Expression" and el.get("success") != "false":
            continue
        shown += 1
        if shown > limit:
            continue
        if el.tag == "Expression":
            original = (el.findtext("Original") or "").strip()
            expanded = (el.findtext("Expanded") or "").strip()
            text = "%s( %s )" % (el.get("type", "CHECK"), original)
            if expanded and expanded != original:
                text += "  with expansion: " + expanded
        else:
            text = "%s: %s" % (el.tag, (el.text or "").strip())
        lines.append("    %s:%s: %s" % (el.get("filename", "?"), el.get("line", "?"), text[:2000]))
        lines.extend("      " + info for info in context)
    if shown > limit:
        lines.append("    ... and %d more" % (shown - limit))
    return "\n".join(lines)


def count(report_path, exit_status, log_path):
    passed, failed, running = 0, 0, None
    try:
        for event, el in ET.iterparse(report_path, events=("start", "end")):
            if el.tag != "TestCase":
                continue
            if event == "start":
                running = el.get("name")
                continue
            running = None
            result = el.find("OverallResult")
            if result is not None and result.get("success") == "true":
                passed += 1
            else:
                failed += 1
                sys.stderr.write("FAILED: %s\n%s\n" % (el.get("name"), describe(el)))
            el.clear()
        complete = True
    except (OSError, ET.ParseError):
        complete = False
    if not complete:
        failed += 1
        what = "test case '%s'" % running if running else "the test run"
        sys.stderr.write("FAILED: %s did not finish (crash or timeout?); last lines of its output:\n" % what)
        write_tail(log_path)
    elif exit_status != 0 and failed == 0:
        failed += 1
        # Typically a report printed at exit (LeakSanitizer's leaks): show it.
        sys.stderr.write("FAILED: the test run exited with status %d although every test case passed; "
                         "last lines of its output:\n" % exit_status)
        write_tail(log_path)
    return passed, failed


def write_tail(log_path, chars=4000):
    try:
        with open(log_path, errors="replace") as f:
            sys.stderr.write(f.read()[-chars:] + "\n")
    except OSError:
        pass


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    passed, failed = count(argv[1], int(argv[2]), argv[3])
    print(passed, failed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
