"""Parsing and linting of BPMN/DMN sources (engine.runtime.specs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.runtime.lint import timer_problem
from engine.runtime.specs import (
    ParsedProcess,
    Problem,
    SpecError,
    form_id_of,
    load_directory,
    parse_sources,
)

INPUTS = Path(__file__).parent / "specs_inputs"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
"""


def process(body: str, process_id: str = "p", executable: str = "true") -> str:
    """One process element around a body of flow elements."""
    return f'<bpmn:process id="{process_id}" isExecutable="{executable}">\n{body}\n</bpmn:process>'


def document(*processes: str) -> bytes:
    """A BPMN document holding the given process elements."""
    return (HEAD + "\n".join(processes) + "\n</bpmn:definitions>\n").encode()


def chain(middle: str, middle_id: str, prefix: str = "") -> str:
    """start -> middle -> end, with ids prefixed so several chains fit one document."""
    return f"""
  <bpmn:startEvent id="{prefix}start" />
  <bpmn:sequenceFlow id="{prefix}f1" sourceRef="{prefix}start" targetRef="{middle_id}" />
  {middle}
  <bpmn:sequenceFlow id="{prefix}f2" sourceRef="{middle_id}" targetRef="{prefix}end" />
  <bpmn:endEvent id="{prefix}end" />"""


def user_task(task_id: str, form: str | None = None, extra: str = "") -> str:
    """A user task, optionally naming a form."""
    props = ""
    if form is not None:
        props = f"""<bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />
    </spiffworkflow:properties>{extra}</bpmn:extensionElements>"""
    return f'<bpmn:userTask id="{task_id}">{props}</bpmn:userTask>'


def timer_event(event_id: str, kind: str, expression: str) -> str:
    """An intermediate timer catch event."""
    return f"""<bpmn:intermediateCatchEvent id="{event_id}">
    <bpmn:timerEventDefinition id="TimerDef_{event_id}">
      <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{expression}</bpmn:{kind}>
    </bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>"""


def problems_of(sources: dict[str, bytes], **kwargs: object) -> list[str]:
    """The problem lines parse_sources raises for these sources."""
    with pytest.raises(SpecError) as info:
        parse_sources(sources, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)
    return [str(problem) for problem in info.value.problems]


def only_problem(sources: dict[str, bytes], **kwargs: object) -> str:
    """The single problem line parse_sources raises for these sources."""
    found = problems_of(sources, **kwargs)
    assert len(found) == 1, found
    return found[0]


# --- valid sources ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid() -> dict[str, ParsedProcess]:
    return parse_sources(load_directory(INPUTS / "valid"))


def test_load_directory_reads_bpmn_and_dmn_sorted(tmp_path: Path) -> None:
    for name in ("b.bpmn", "a.dmn", "c.txt", "A.bpmn"):
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "sub.bpmn").mkdir()
    assert load_directory(tmp_path) == {"A.bpmn": b"A.bpmn", "a.dmn": b"a.dmn", "b.bpmn": b"b.bpmn"}


def test_valid_sources_parse_into_every_executable_process(
    valid: dict[str, ParsedProcess],
) -> None:
    assert sorted(valid) == ["followup", "intake"]
    intake, followup = valid["intake"], valid["followup"]
    assert (intake.process_id, intake.name, intake.source_file) == (
        "intake",
        "Client intake",
        "intake.bpmn",
    )
    assert (followup.name, followup.source_file) == ("Follow-up", "followup.bpmn")
    assert intake.spec.name == "intake"
    assert "triage" in intake.spec.task_specs


def test_call_activity_across_files_resolves(valid: dict[str, ParsedProcess]) -> None:
    intake = valid["intake"]
    assert sorted(intake.subprocess_specs) == ["contacts", "followup"]
    assert intake.subprocess_specs["followup"] is valid["followup"].spec
    assert intake.spec.task_specs["follow_up"].spec == "followup"
    assert sorted(valid["followup"].subprocess_specs) == ["contacts"]


def test_forms_include_those_of_called_and_embedded_processes(
    valid: dict[str, ParsedProcess],
) -> None:
    assert valid["intake"].forms == ["assessment", "contact", "review"]
    assert valid["followup"].forms == ["contact"]


def test_form_id_of_reads_the_property_without_suffix(valid: dict[str, ParsedProcess]) -> None:
    specs = valid["intake"].spec.task_specs
    assert form_id_of(specs["assess"]) == "assessment"
    assert form_id_of(specs["score"]) is None
    assert form_id_of(valid["followup"].spec.task_specs["note"]) is None


def test_form_exists_is_asked_about_every_form() -> None:
    asked: list[str] = []

    def form_exists(form_id: str) -> str | None:
        asked.append(form_id)
        return None

    parse_sources(load_directory(INPUTS / "valid"), form_exists)
    assert sorted(asked) == ["assessment", "contact", "review"]


def test_plain_bpmn_without_extensions_and_non_executable_pools_parse() -> None:
    pool = process('<bpmn:task id="external_work" />', "external", executable="false")
    parsed = parse_sources({"plain.bpmn": document(process(chain(user_task("t"), "t")), pool)})
    assert list(parsed) == ["p"]
    assert parsed["p"].forms == []
    assert parsed["p"].name == "p"


def test_timer_expression_reading_task_data_is_accepted() -> None:
    body = chain(timer_event("wait", "timeDuration", "interval_for(client)"), "wait")
    assert list(parse_sources({"t.bpmn": document(process(body))})) == ["p"]


@pytest.mark.parametrize(
    ("kind", "expression"),
    [
        ("timeDuration", '"PT2S"'),
        ("timeDuration", '"P1DT12H"'),
        ("timeDuration", "'P' + '7D'"),
        ("timeDuration", "followup_interval"),
        ("timeDate", '"2025-03-01T09:00:00+00:00"'),
        ("timeDate", '"2025-03-01T09:00:00Z"'),
        ("timeCycle", '"R/P7D"'),
        ("timeCycle", '"R3/PT1H"'),
        ("timeCycle", '"R2/2025-03-01T09:00:00+00:00/P1D"'),
    ],
)
def test_valid_timer_expressions(kind: str, expression: str) -> None:
    assert timer_problem(kind, expression) is None


# --- one problem of each kind --------------------------------------------------------------


def test_malformed_xml_is_reported_at_its_line() -> None:
    content = HEAD.encode() + b'<bpmn:process id="p">\n<bpmn:startEvent id="s">\n</bpmn:process>'
    line = only_problem({"broken.bpmn": content})
    assert line.startswith("broken.bpmn:line-8: malformed XML: Opening and ending tag mismatch")


def test_schema_error_is_located_at_the_enclosing_element() -> None:
    task = '<bpmn:userTask id="t">\n  <bpmn:bogus />\n</bpmn:userTask>'
    line = only_problem({"xsd.bpmn": document(process(chain(task, "t")))})
    assert line.startswith("xsd.bpmn:t: Element 'bogus': This element is not expected.")


def test_structural_error_names_the_element() -> None:
    body = (
        chain(user_task("t"), "t") + '\n<bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="end" />'
    )
    line = only_problem({"two_out.bpmn": document(process(body))})
    assert line == "two_out.bpmn:t: Multiple outgoing flows are not supported for tasks of type"


def test_process_without_start_event_is_reported_at_the_process() -> None:
    line = only_problem({"nostart.bpmn": document(process('<bpmn:task id="t" />'))})
    assert line == "nostart.bpmn:p: No start event found"


def test_missing_called_process_is_reported_at_the_call_activity() -> None:
    call = '<bpmn:callActivity id="call_it" calledElement="nowhere" />'
    line = only_problem({"caller.bpmn": document(process(chain(call, "call_it")))})
    assert line == "caller.bpmn:call_it: calls process 'nowhere', which no BPMN file defines"


def test_call_of_non_executable_process_is_reported() -> None:
    call = '<bpmn:callActivity id="call_it" calledElement="sub" />'
    sub = process(chain("<bpmn:task id='x' />", "x", "s_"), "sub", executable="false")
    line = only_problem({"caller.bpmn": document(process(chain(call, "call_it")), sub)})
    assert line == "caller.bpmn:call_it: calls process 'sub', which is not executable"


def test_dangling_target_ref_is_reported_clearly() -> None:
    body = chain(user_task("t"), "t").replace('targetRef="end"', 'targetRef="nowhere"')
    line = only_problem({"dangling.bpmn": document(process(body))})
    assert line == "dangling.bpmn:f2: targetRef 'nowhere' names no element of process 'p'"


def test_dangling_source_ref_is_reported_clearly() -> None:
    body = chain(user_task("t"), "t") + (
        '\n<bpmn:sequenceFlow id="f3" sourceRef="ghost" targetRef="end" />'
    )
    line = only_problem({"dangling.bpmn": document(process(body))})
    assert line == "dangling.bpmn:f3: sourceRef 'ghost' names no element of process 'p'"


def test_dangling_default_flow_and_boundary_attachment_are_reported() -> None:
    body = chain('<bpmn:exclusiveGateway id="gw" default="nope" />', "gw") + (
        '\n<bpmn:boundaryEvent id="b" attachedToRef="ghost" />'
    )
    assert problems_of({"refs.bpmn": document(process(body))}) == [
        "refs.bpmn:b: attachedToRef 'ghost' names no activity of this process",
        "refs.bpmn:gw: default flow 'nope' is not an outgoing flow of it",
    ]


def test_script_task_syntax_error() -> None:
    task = '<bpmn:scriptTask id="calc"><bpmn:script>x = = 1</bpmn:script></bpmn:scriptTask>'
    line = only_problem({"s.bpmn": document(process(chain(task, "calc")))})
    assert line == "s.bpmn:calc: script: invalid Python: invalid syntax (line 1)"


def test_empty_script_task() -> None:
    task = '<bpmn:scriptTask id="calc"><bpmn:script>  </bpmn:script></bpmn:scriptTask>'
    line = only_problem({"s.bpmn": document(process(chain(task, "calc")))})
    assert line == "s.bpmn:calc: script: has no script"


def test_pre_and_post_script_syntax_errors() -> None:
    scripts = (
        "<spiffworkflow:preScript>if x</spiffworkflow:preScript>"
        "<spiffworkflow:postScript>y = (</spiffworkflow:postScript>"
    )
    found = problems_of({"s.bpmn": document(process(chain(user_task("t", "f", scripts), "t")))})
    assert [line.split(": invalid Python")[0] for line in found] == [
        "s.bpmn:t: preScript",
        "s.bpmn:t: postScript",
    ]


def test_condition_syntax_error_is_reported_at_the_flow() -> None:
    body = """
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />
  <bpmn:exclusiveGateway id="gw" default="f_else" />
  <bpmn:sequenceFlow id="f_if" sourceRef="gw" targetRef="end">
    <bpmn:conditionExpression>score &gt;</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_else" sourceRef="gw" targetRef="end" />
  <bpmn:endEvent id="end" />"""
    line = only_problem({"c.bpmn": document(process(body))})
    assert line.startswith("c.bpmn:f_if: conditionExpression: invalid Python: invalid syntax")


@pytest.mark.parametrize(
    ("kind", "expression", "message"),
    [
        (
            "timeDuration",
            "PT1S",
            'timeDuration PT1S must be a quoted string: write "PT1S" (it is a Python expression)',
        ),
        ("timeCycle", "R/P7D", 'timeCycle R/P7D must be a quoted string: write "R/P7D"'),
        ("timeDate", "2025-03-01T09:00:00+00:00", "timeDate 2025-03-01T09:00:00+00:00 must be"),
        ("timeDuration", '"soon"', "timeDuration 'soon' is not a valid ISO 8601 duration"),
        ("timeDuration", '"P"', "timeDuration 'P' is an empty duration"),
        ("timeDuration", "5", "timeDuration must evaluate to a string, not int 5"),
        ("timeDuration", '"P" + 1', "timeDuration expression fails: TypeError"),
        ("timeDuration", '"PT1S', "timeDuration is not a valid Python expression"),
        ("timeDuration", "", "timeDuration is empty"),
        ("timeDate", '"2025-03-01T09:00"', "timeDate '2025-03-01T09:00' has no UTC offset"),
        ("timeDate", '"P7D"', "timeDate 'P7D' is a duration, not a date-time"),
        ("timeCycle", '"R3"', "timeCycle 'R3' is not a valid ISO 8601 repeating interval"),
        ("timeCycle", '"PT1H"', "timeCycle 'PT1H' is not a valid ISO 8601 repeating interval"),
        ("timeCycle", '"R2/2025-03-01T09:00/P1D"', "timeCycle 'R2/2025-03-01T09:00/P1D' has no"),
    ],
)
def test_invalid_timer_expressions(kind: str, expression: str, message: str) -> None:
    body = chain(timer_event("wait", kind, expression), "wait")
    line = only_problem({"timer.bpmn": document(process(body))})
    assert line.startswith(f"timer.bpmn:wait: {message}")


def test_boundary_timer_problem_is_reported_at_the_boundary_event() -> None:
    body = (
        chain(user_task("t"), "t")
        + """
  <bpmn:boundaryEvent id="late" attachedToRef="t">
    <bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>"""
    )
    line = only_problem({"b.bpmn": document(process(body))})
    assert line.startswith("b.bpmn:late: timeDuration P3D must be a quoted string")


def test_missing_form_is_reported_at_the_user_task() -> None:
    def form_exists(form_id: str) -> str | None:
        return None if form_id == "known" else f"form '{form_id}' is not in forms/"

    body = chain(user_task("a", "known.schema.json"), "a", "a_") + chain(
        user_task("b", "unknown.schema.json"), "b", "b_"
    )
    line = only_problem({"forms.bpmn": document(process(body))}, form_exists=form_exists)
    assert line == "forms.bpmn:b: form 'unknown' is not in forms/"


LANES = """<bpmn:laneSet id="lanes">
    <bpmn:lane id="lane_cm" name="case_manager"><bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane>
    <bpmn:lane id="lane_unnamed"><bpmn:flowNodeRef>c</bpmn:flowNodeRef></bpmn:lane>
  </bpmn:laneSet>"""


def test_user_task_outside_every_lane_and_in_an_unnamed_lane() -> None:
    body = (
        LANES
        + chain(user_task("a"), "a", "a_")
        + chain(user_task("b"), "b", "b_")
        + chain(user_task("c"), "c", "c_")
    )
    assert problems_of({"lanes.bpmn": document(process(body))}) == [
        "lanes.bpmn:b: user task is in no lane (process 'p' has lanes)",
        "lanes.bpmn:c: user task is in lane 'lane_unnamed', which has no name",
    ]


# --- DMN ------------------------------------------------------------------------------------

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D"
             namespace="http://camunda.org/schema/1.0/dmn">
  {decisions}
</definitions>
"""

DECISION = """<decision id="{id}" name="{id}">
    <decisionTable id="table_{id}">
      <input id="in_{id}"><inputExpression id="ie_{id}" typeRef="integer"><text>score</text>
      </inputExpression></input>
      <output id="out_{id}" name="priority" typeRef="string" />
      <rule id="rule_{id}">
        <inputEntry id="ruleIn_{id}"><text>-</text></inputEntry>
        <outputEntry id="ruleOut_{id}"><text>{output}</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>"""


def dmn(*decisions: tuple[str, str]) -> bytes:
    """A DMN document with decisions given as (id, output expression)."""
    body = "\n".join(DECISION.format(id=i, output=out) for i, out in decisions)
    return DMN.format(decisions=body).encode()


def rule_task(decision: str | None) -> str:
    """A business rule task calling a decision."""
    ext = (
        ""
        if decision is None
        else (
            "<bpmn:extensionElements><spiffworkflow:calledDecisionId>"
            f"{decision}</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
        )
    )
    return f'<bpmn:businessRuleTask id="rule">{ext}</bpmn:businessRuleTask>'


def test_business_rule_task_with_decision_parses() -> None:
    parsed = parse_sources(
        {
            "d.dmn": dmn(("dec", '"high"')),
            "r.bpmn": document(process(chain(rule_task("dec"), "rule"))),
        }
    )
    assert list(parsed) == ["p"]


def test_dmn_that_fails_to_parse_names_file_and_decision() -> None:
    sources = {
        "d.dmn": dmn(("dec", '"high')),
        "r.bpmn": document(process(chain(rule_task("dec"), "rule"))),
    }
    assert problems_of(sources) == [
        "d.dmn:dec: Malformed Output Expression '\"high'. unterminated string literal (detected"
        " at line 1) (<unknown>, line 1) (at ruleOut_dec)",
        "r.bpmn:rule: calls decision 'dec', whose DMN file has problems",
    ]


def test_dmn_with_two_decisions_or_malformed_xml() -> None:
    sources = {"two.dmn": dmn(("d1", '"a"'), ("d2", '"b"')), "bad.dmn": b"<definitions>"}
    assert problems_of(sources) == [
        "two.dmn:d2: only one decision per DMN file (first: 'd1')",
        "bad.dmn:line-1: malformed XML: Premature end of data in tag definitions line 1,"
        " line 1, column 14",
    ]


def test_business_rule_task_with_unknown_or_no_decision() -> None:
    body = chain(rule_task("ghost"), "rule", "a_") + chain(
        rule_task(None).replace('"rule"', '"rule2"'), "rule2", "b_"
    )
    assert problems_of({"r.bpmn": document(process(body))}) == [
        "r.bpmn:rule: calls decision 'ghost', which no DMN file defines",
        "r.bpmn:rule2: names no decision (spiffworkflow:calledDecisionId)",
    ]


def test_dmn_schema_error_and_shape_problems() -> None:
    bad = dmn(("dec", '"a"')).replace(b'<rule id="rule_dec">', b'<rule id="rule_dec"><bogus />')
    literal = '<decision id="lit" name="Lit"><literalExpression id="le" /></decision>'
    sources = {
        "xsd.dmn": bad,
        "empty.dmn": DMN.format(decisions="").encode(),
        "literal.dmn": DMN.format(decisions=literal).encode(),
    }
    found = problems_of(sources)
    assert found[0].startswith("xsd.dmn:rule_dec: Element 'bogus': This element is not expected.")
    assert found[1:] == [
        "empty.dmn:line-3: DMN file defines no decision",
        "literal.dmn:lit: decision has no decision table",
    ]


def test_schema_errors_on_one_line_name_the_elements_at_fault() -> None:
    one_line = '<decision id="first"><decisionTable id="t" /></decision>'
    found = problems_of({"x.dmn": DMN.format(decisions=one_line).encode()})
    assert found == [
        "x.dmn:first: Element 'decision': The attribute 'name' is required but missing.",
        "x.dmn:t: Element 'decisionTable': Missing child element(s). Expected is one of"
        " ( description, extensionElements, input, output ).",
    ]


# --- several problems at once ----------------------------------------------------------------


def test_every_problem_of_a_batch_is_reported() -> None:
    script = '<bpmn:scriptTask id="calc"><bpmn:script>x = = 1</bpmn:script></bpmn:scriptTask>'
    call = '<bpmn:callActivity id="call_it" calledElement="nowhere" />'
    dangling = chain(user_task("t"), "t").replace('targetRef="end"', 'targetRef="nowhere"')
    sources = {
        "one.bpmn": document(
            process(chain(script, "calc", "a_") + chain(call, "call_it", "b_"), "first"),
            process(dangling, "second"),
        ),
        "two.bpmn": document(process(chain(timer_event("w", "timeDuration", "PT1S"), "w"))),
        "three.bpmn": b"<nope>",
    }
    found = problems_of(sources)
    assert found[:3] == [
        "one.bpmn:calc: script: invalid Python: invalid syntax (line 1)",
        "one.bpmn:call_it: calls process 'nowhere', which no BPMN file defines",
        "one.bpmn:f2: targetRef 'nowhere' names no element of process 'second'",
    ]
    assert found[3].startswith("two.bpmn:w: timeDuration PT1S must be a quoted string")
    assert found[4].startswith("three.bpmn:line-1: malformed XML")
    assert len(found) == 5


def test_flow_leaving_its_sub_process_is_reported() -> None:
    sub = """<bpmn:subProcess id="sp">
    <bpmn:startEvent id="ss" />
    <bpmn:sequenceFlow id="sf" sourceRef="ss" targetRef="end" />
  </bpmn:subProcess>"""
    line = only_problem({"x.bpmn": document(process(chain(sub, "sp")))})
    assert line == "x.bpmn:sf: targetRef 'end' is outside the sub-process of this flow"


def test_loop_condition_syntax_error() -> None:
    loop = """<bpmn:userTask id="u"><bpmn:standardLoopCharacteristics>
    <bpmn:loopCondition>done ==</bpmn:loopCondition>
  </bpmn:standardLoopCharacteristics></bpmn:userTask>"""
    line = only_problem({"x.bpmn": document(process(chain(loop, "u")))})
    assert line == "x.bpmn:u: loopCondition: invalid Python: invalid syntax (line 1)"


def test_problem_in_an_embedded_sub_process_names_it() -> None:
    sub = '<bpmn:subProcess id="sp"><bpmn:task id="only" /></bpmn:subProcess>'
    line = only_problem({"x.bpmn": document(process(chain(sub, "sp")))})
    assert line == "x.bpmn:sp: Exactly one start event is required in a SubWorkflow Task; found 0."


def test_problem_in_a_called_process_is_reported_once_in_its_own_file() -> None:
    call = '<bpmn:callActivity id="c" calledElement="callee" />'
    sources = {
        "caller.bpmn": document(process(chain(call, "c"), "caller")),
        "callee.bpmn": document(process('<bpmn:task id="t" />', "callee")),
    }
    assert problems_of(sources) == ["callee.bpmn:callee: No start event found"]
    dangling = chain(user_task("t"), "t").replace('targetRef="end"', 'targetRef="gone"')
    sources["callee.bpmn"] = document(process(dangling, "callee"))
    assert problems_of(sources) == [
        "callee.bpmn:f2: targetRef 'gone' names no element of process 'callee'"
    ]


def test_duplicate_and_invalid_ids_in_a_file() -> None:
    body = chain(user_task("t"), "t", "a_") + chain(user_task("t"), "t", "b_")
    body += '<bpmn:task id="2 words" />'
    assert problems_of({"ids.bpmn": document(process(body))}) == [
        "ids.bpmn:t: id 't' is used by more than one element",
        "ids.bpmn:2 words: id '2 words' is not a valid XML name",
    ]


def test_duplicate_process_id_across_files() -> None:
    body = process(chain(user_task("t"), "t"))
    found = problems_of({"a.bpmn": document(body), "b.bpmn": document(body)})
    assert found == ["b.bpmn:p: Duplicate process ID: p"]


def test_problem_str_and_spec_error() -> None:
    problem = Problem("care.bpmn", "task_1", "broken")
    assert str(problem) == "care.bpmn:task_1: broken"
    error = SpecError([problem, Problem("x.dmn", "d", "bad")])
    assert str(error) == "care.bpmn:task_1: broken\nx.dmn:d: bad"
    assert error.problems[1].element_id == "d"


def test_comments_inside_timer_definitions_are_ignored() -> None:
    source = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://carecycle.example/t">
  <bpmn:process id="commented" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition id="t"><!-- a designer's note -->
        <bpmn:timeDuration>"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""
    assert set(parse_sources({"commented.bpmn": source})) == {"commented"}
