#!/usr/bin/python3
"""Count Catch2 test cases in an XML report (`-r xml -o FILE`); used by tools/check.

    catch2_report.py REPORT.xml EXIT_STATUS LOG [COUNTS]
        prints "PASSED FAILED SKIPPED" on stdout, failure details and skip reasons on stderr

A test case passes when its <OverallResult success="true"/> says so (so [!shouldfail] cases count right) and,
when COUNTS (the file tests/main.cpp writes under WICK_ASSERTION_COUNTS) is given, it made an assertion. One that
asserted nothing is skipped when it warned why (a WARN containing "skipped": no GPU, no oneDNN, no data set),
and failed otherwise: a test that checks nothing must not read as passed.
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


def assertion_counts(counts_path):
    """{test case name: assertions made}, or None without a counts file."""
    if not counts_path:
        return None
    counts = {}
    try:
        with open(counts_path, errors="replace") as f:
            for line in f:
                number, _, name = line.rstrip("\n").partition("\t")
                if number.isdigit():
                    counts[name] = int(number)
    except OSError:
        return None
    return counts


def skip_reason(case):
    """The text of the case's first warning that says it skipped, or None."""
    for el in case.iter("Warning"):
        text = " ".join((el.text or "").split())
        if "skipped" in text:
            return text
    return None


def count(report_path, exit_status, log_path, counts_path=None):
    passed, failed, skipped, running = 0, 0, 0, None
    counts = assertion_counts(counts_path)
    try:
        for event, el in ET.iterparse(report_path, events=("start", "end")):
            if el.tag != "TestCase":
                continue
            if event == "start":
                running = el.get("name")
                continue
            running = None
            result = el.find("OverallResult")
            name = el.get("name")
            silent = counts is not None and counts.get(name, 1) == 0
            if result is not None and result.get("success") == "true" and silent:
                reason = skip_reason(el)
                if reason:
                    skipped += 1
                    sys.stderr.write("SKIPPED: %s\t%s\n" % (name, reason))
                else:
                    failed += 1
                    sys.stderr.write("FAILED: %s asserted nothing and did not say it skipped (WARN(\"skipped: "
                                     "why\"))\n" % name)
            elif result is not None and result.get("success") == "true":
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
    return passed, failed, skipped


def write_tail(log_path, chars=4000):
    try:
        with open(log_path, errors="replace") as f:
            sys.stderr.write(f.read()[-chars:] + "\n")
    except OSError:
        pass


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    passed, failed, skipped = count(argv[1], int(argv[2]), argv[3], argv[4] if len(argv) == 5 else None)
    print(passed, failed, skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
