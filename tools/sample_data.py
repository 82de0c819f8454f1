"""Write the sample partnership's workbooks in data/ from the reference pack of 15 October 2020.

Every cell below is transcribed from `seed/000_1a84267b551a4c97.txt` as officers typed it,
untidiness included (`09 09 2020`, `???`, `TBC`, `LBBB`, `AI`, `Case Review Tacker`, ...); only
text cut by the PDF's page breaks is joined. The output is deterministic: the same bytes on
every run. Run from the repository root: `.venv/bin/python tools/sample_data.py [data-dir]`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

log = logging.getLogger(__name__)

PARTNERSHIP = "BHR Safeguarding Partnership"
MEETING = dt.date(2020, 10, 15)
PREVIOUS_MEETING = dt.date(2020, 9, 9)
SAVED = dt.datetime(2020, 10, 8, 9, 30)  # when the secretariat last saved the sample workbooks
SIGNATORY = "Adrian Loades"
SIGNATURE_FILE = "adrian-loades.png"
REPORT_TITLE = "Redbridge LSCB Serious Case Review – Baby ‘T’"
REPORT_URL = "https://www.redbridgescp.org.uk/wp-content/uploads/2020/01/Baby-T-SCR-Report.pdf"

# Name, initials, title, agency, email, receives pack, role, send as. Titles and agencies are
# the seed's attendance table; Eleanor Parkin is the agenda's secretariat; Carol Hale booked
# the meetings (action 2020/09) and her title is not in the seed.
MEMBERS: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    (
        "Elaine Allegretti",
        "EA",
        "Director of People and Resilience",
        "LB Barking & Dagenham",
        "elaine.allegretti@lbbd.example",
        "Y",
        "chair",
        "to",
    ),
    (
        "John Carroll",
        "JC",
        "Det. Superintendent Safeguarding",
        "MPS East Area BCU",
        "john.carroll@met.police.example",
        "Y",
        "chair",
        "to",
    ),
    (
        "Adrian Loades",
        "AL",
        "Corporate Director of People",
        "LB Redbridge",
        "adrian.loades@redbridge.example",
        "Y",
        "chair",
        "to",
    ),
    (
        "Jacqui Himbury",
        "JH",
        "Nurse Director",
        "BHR CCGs",
        "jacqui.himbury@nhs.example",
        "Y",
        "chair",
        "to",
    ),
    (
        "Robert South",
        "RS",
        "Director of Children's Services",
        "LB Havering",
        "robert.south@havering.example",
        "Y",
        "chair",
        "to",
    ),
    (
        "Caroline Cutts",
        "CC",
        "Operational Director – Children & Families",
        "LB Redbridge",
        "caroline.cutts@redbridge.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Mark Gilbey-Cross",
        "MGC",
        "Deputy Nurse Director (Acting)",
        "BHR CCGs",
        "mark.gilbey-cross@nhs.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Kate Dempsey",
        "KD",
        "Principal Social Worker (PSW)",
        "LB Havering",
        "kate.dempsey@havering.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Teresa DeVito",
        "TDV",
        "Head of Service - Safeguarding & Quality Assurance",
        "LB Barking & Dagenham",
        "teresa.devito@lbbd.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Lesley Perry",
        "LP",
        "Partnerships Manager",
        "Redbridge SCP & SAB",
        "lesley.perry@redbridge.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Martin Wallace",
        "MW",
        "Partnerships & Learning Manager",
        "LB Havering",
        "martin.wallace@havering.example",
        "Y",
        "member",
        "to",
    ),
    (
        "Eleanor Parkin",
        "EP",
        "Partnerships and Programmes Manager",
        "LB Barking & Dagenham",
        "eleanor.parkin@lbbd.example",
        "Y",
        "member",
        "cc",
    ),
    (
        "Carol Hale",
        "CH",
        "Business Support Officer",
        "Redbridge SCP & SAB",
        "carol.hale@redbridge.example",
        "Y",
        "member",
        "cc",
    ),
)

# Date, start, end, venue, chair, secretariat. The seed gives 9 September (chair JC, LP, MS Teams,
# EA arrived 15:45) and 15 October in full; the August chair (MGC) from action 2020/09; the
# future dates from the agenda's item 13. Other times and the June chair are the sample's own.
MEETINGS: tuple[tuple[dt.date, dt.time, dt.time, str, str, str], ...] = (
    (dt.date(2020, 6, 5), dt.time(10, 0), dt.time(12, 0), "MS Teams", "AL", "LP"),
    (dt.date(2020, 8, 3), dt.time(14, 0), dt.time(16, 0), "MS Teams", "MGC", "LP"),
    (dt.date(2020, 9, 9), dt.time(15, 0), dt.time(17, 0), "MS Teams", "JC", "LP"),
    (dt.date(2020, 10, 15), dt.time(9, 0), dt.time(11, 0), "MS Teams", "EA", "Eleanor Parkin"),
    (dt.date(2020, 11, 27), dt.time(10, 0), dt.time(12, 0), "MS Teams", "TBC", "TBC"),
    (dt.date(2021, 1, 8), dt.time(15, 0), dt.time(17, 0), "MS Teams", "TBC", "TBC"),
    (dt.date(2021, 2, 12), dt.time(10, 0), dt.time(12, 0), "MS Teams", "TBC", "TBC"),
    (dt.date(2021, 3, 26), dt.time(14, 0), dt.time(16, 0), "MS Teams", "TBC", "TBC"),
)

# Member, attendance, deputising for, arrived: the notes of 9 September 2020, in their order.
ATTENDANCE_9_SEPTEMBER_2020: tuple[tuple[str, str, str, dt.time | None], ...] = (
    ("EA", "attended", "", dt.time(15, 45)),
    ("JC", "attended", "", None),
    ("CC", "attended", "AL", None),
    ("MGC", "attended", "JH", None),
    ("KD", "attended", "RS", None),
    ("TDV", "attended", "", None),
    ("LP", "attended", "", None),
    ("MW", "attended", "", None),
    ("AL", "apologies", "", None),
    ("JH", "apologies", "", None),
    ("RS", "apologies", "", None),
)

ACTION_LOG: tuple[str | tuple[str, str, str, str], ...] = (
    "Meeting: 05 June 2020",
    (
        "2020/01",
        (
            "Partnership ToR to be published on individual Local Safeguarding Children "
            "Partnership websites."
        ),
        "Partnership Managers",
        (
            "Published on the Redbridge SCP website . C/F – awaiting confirmation from B&D SCP "
            "and Havering SCP."
        ),
    ),
    (
        "2020/02",
        (
            "Statutory Responsibilities Table to be completed in draft and any areas requiring "
            "further discussion to be identified between meetings. Final draft to be presented "
            "for approval to July meeting."
        ),
        "Partnership Managers",
        "Final draft on Agenda for meeting held on 03 08 2020. Close.",
    ),
    (
        "2020/03",
        (
            "Outcomes, findings and learning from Rapid Reviews and Child Safeguarding "
            "Practice Reviews to be scheduled as an Agenda item every six months."
        ),
        "Partnership Managers",
        "Item added to the forward plan for December 2020 meeting. Close.",
    ),
    (
        "2020/04",
        (
            "Domestic Abuse presentation by Partners to be added to the agenda for the July "
            "meeting covering current offer, impact of interventions, what is working well and "
            "what could be further developed."
        ),
        "All",
        "Item added to Agenda for meeting held on 03 08 2020. Close.",
    ),
    (
        "2020/05",
        (
            "Exploration of Tier 4 CAHMS self-harm and eating disorders explored – agenda item "
            "for July meeting."
        ),
        "All",
        "Item added to Agenda for meeting held on 03 08 2020. Close.",
    ),
    (
        "2020/06",
        (
            "Updates from partners on the impact and response to COVID-19 to be added as a "
            "standing agenda item for Partnership meetings."
        ),
        "Partnership Managers",
        "Item added to the Agenda Forward Plan for each meeting during 2020 – 2021. Close.",
    ),
    (
        "2020/07",
        (
            "Violence Reduction Unit (VRU) to be approached to develop work with the "
            "partnership and item to be scheduled for a future meeting."
        ),
        "Adrian Loades/John Carroll",
        (
            "Approach made by AL to VRU but no response received yet. Item subject to "
            "confirmation – added to Forward Agenda Plan for October subject to confirmation. "
            "C/F"
        ),
    ),
    (
        "2020/08",
        (
            "Information relating to MPS Prevent referral form trial to be circulated and then "
            "discussed outside of meeting with Borough leads."
        ),
        "John Carroll",
        (
            "Pilot in LB Hillingdon, LB Hammersmith and Fulham and LB Kensington & Chelsea was "
            "to be re-started following suspension for COVID and school holiday. Form under "
            "review to ensure any changes relating to COVID are incorporated. JC to seek "
            "clarification of new timescale from MPS lead. C/F"
        ),
    ),
    (
        "2020/09",
        (
            "Partnership meetings to be scheduled every six weeks by with rotating chair – "
            "next two meetings covered by BCU and CCG."
        ),
        "Carol Hale",
        (
            "Meetings booked for 03 08 2020 (Chaired by MGC); 09 09 2020 (Chaired by JC); and "
            "15 10 2020 (Chair – EA - TBC). Close."
        ),
    ),
    "Meeting: 03 August 2020",
    (
        "2020/10",
        (
            "Recommendations from the Redbridge LSCB SCR to be put into table format "
            "identifying which applies to each agency and at local or BHR Safeguarding Level."
        ),
        "AL/LP",
        (
            "Presented to meeting on 09 09 2020. To be reviewed between meetings for sign off "
            "at October meeting. Clarification to be sought from Independent Chair, Redbridge "
            "SCP on appropriate timescale. C/F"
        ),
    ),
    (
        "2020/11",
        "Comments on Rapid Review/CPSR documents to be provided by TDV by 14 08 2020.",
        "All",
        (
            "Final suite of papers to be presented to the October meeting. Content for section "
            "on CDR to be added once CDR Manager in post. C/F"
        ),
    ),
    (
        "2020/12",
        "Rapid Review/CPSR tracking document to be provided as an example for adaptation.",
        "TDV",
        "Completed 03 08 2020.",
    ),
    (
        "2020/13",
        "Multi-Agency Audits – item to be added to the Agenda for October.",
        "LP",
        "Completed 03 08 2020.",
    ),
    (
        "2020/14",
        "Information on LBR Reach Out Service to be circulated.",
        "AI",
        "Completed 03 08 2020.",
    ),
    (
        "2020/15",
        "Information on LBH response to Domestic Abuse to be circulated.",
        "KD",
        "Completed 09 09 2020.",
    ),
    (
        "2020/16",
        ("Report on SUDI to be forwarded to CDOP/CDR Manager once in post for considered by CDOP."),
        "MGC",
        (
            "CDR Manager due in post at the beginning of November. Report will be passed on "
            "then. C/F"
        ),
    ),
    "Meeting: 09 September 2020",
    (
        "2020/17",
        (
            "Meeting to be held between BCU and Borough leads to consider project of "
            "engagement with LAC and care home providers in relation to missing."
        ),
        "JC",
        "",
    ),
    (
        "2020/18",
        (
            "Statutory responsibilities table to be cleared via AL and RS and then published "
            "on local SCP websites."
        ),
        "KD/LP/TDV/MW",
        "LP e-mailed to AL on 10 09 2020.",
    ),
    (
        "2020/19",
        (
            "Review references to SIs to clarify for health colleagues, using the terminology "
            "in Working Together 2018."
        ),
        "TDV",
        "",
    ),
    (
        "2020/20",
        (
            "Compare the draft Agency request form with those that have been used in LBR and "
            "LBH and make any further improvements or developments as appropriate."
        ),
        "LP/MW",
        "",
    ),
    (
        "2020/21",
        (
            "Finalisation of the suite of documents and branding for hosting on the local SCP "
            "websites."
        ),
        "TDV/MW/LP",
        "",
    ),
    (
        "2020/22",
        (
            "CDR Manager to be asked to develop content on the link with the CDR process, "
            "including the referral route for consideration of CSPRs to local SCPs."
        ),
        "TDV",
        "",
    ),
    (
        "2020/23",
        (
            "Review Documents to be added to the Agenda Forward Plan for the October and "
            "November meetings."
        ),
        "LP",
        "Completed 09 09 2020.",
    ),
    (
        "2020/24",
        "Case Tracker to be added as a Standing Item to the Agenda Forward Plan.",
        "LP",
        "Completed 09 09 2020.",
    ),
    (
        "2020/25",
        (
            "Comments on the recommendations to be made to LP between meetings and to be added "
            "to the Agenda for the next meeting for sign off."
        ),
        "All",
        "",
    ),
    (
        "2020/26",
        (
            "Clarify with Independent Chair of the Redbridge SCP any concerns around timescale "
            "for taking forward the recommendations."
        ),
        "LP",
        "E-mail sent to Independent Chair on 09 09 2020. Awaiting response.",
    ),
    (
        "2020/27",
        (
            "Consideration of whether there are sufficient gaps in learning that could be "
            "addressed in a BHR themed review and bring back to the October meeting for a "
            "decision."
        ),
        "LP/CC",
        "",
    ),
    (
        "2020/28",
        "Dates to be set for the remainder of the year to March 2021 at six weekly intervals.",
        "LP/MW/TDV",
        "",
    ),
    "Meeting: 15 October 2020",
)


CASE_REVIEW_TRACKER: tuple[tuple[str, ...], ...] = (
    (
        "Family D",
        "May 2017",
        (
            "Child was transferred from Queens to Royal London Hospital via Blue light with "
            "suspected insulin overdose. Review focusses on four siblings under serious harm "
            "sustained via Fabricated and Induced illness."
        ),
        "LBBB",
        (
            "Publication of report delayed, due to active Police investigation. Additional "
            "information is still being requested from the Family Court by CPS. Police to "
            "update once CPS have confirmed."
        ),
        "17 10 2018",
        "N",
    ),
    (
        "Baby T",
        "23 03 2018",
        "Baby died from head injury whilst being cared for by unofficial childminder.",
        "LBR",
        (
            "SCR published in January 2020. XX recommendations made, including xx for the BHR "
            "Safeguarding Partnership."
        ),
        "15 10 2019",
        "14 01 2020",
    ),
    (
        "Child F",
        "Dec 2018",
        "10-month old baby died October 2018.",
        "LBBB",
        (
            "Final Panel meeting held 6/8/19 and following amendments from Panel and LSCB "
            "Chair, report was circulated to SCR Panel members for sign off ahead of sending "
            "to Strategic Partners. Publication delayed due to ongoing police investigation."
        ),
        "???",
        "N",
    ),
    (
        "ZP",
        "18 06 2020",
        "Adolescent suicide",
        "LBR",
        (
            "Rapid Review carried out with recommendation not to undertake CSPR, agreed by "
            "local statutory safeguarding partners, and sent to the National Panel 17 07 2020. "
            "Response received on 03 08 2020. Agreed. Consider themed review across BHR "
            "Safeguarding Partnership at meeting on 09 09 2020."
        ),
        "TBC",
        "N/A",
    ),
    (
        "TQ",
        "15/06/2020",
        (
            "11-year-old child died suddenly in June 2020. Cause of death still unknown but "
            "child's last recorded weight was almost 18 stone. Long-standing professional "
            "concern about emotional impact on child of acrimony between parents. Hypothesis "
            "that parental neglect may have contributed to child's excessive weight."
        ),
        "LBH",
        (
            "Rapid Review held on 30 June resulted in recommendation that, although a formal "
            "local Child Safeguarding Practice Review (CSPR) was not required, the case "
            "warranted some learning at a local level. A learning review meeting was held on "
            "28 June, involving the participants in the original rapid review meeting and "
            "resulting in a number of recommendations for system improvements. The learning "
            "review meeting also identified a number of mitigating actions already underway, "
            "and concluded several lines of enquiry which therefore required no further "
            "action. The original recommendation not to undertake a formal local CSPR was "
            "formally ratified by Havering's local statutory Safeguarding Partners on 31 July "
            "and the completed Rapid Review was submitted to the National Panel the same day."
        ),
        "TBC",
        "N/A",
    ),
)


RECOMMENDATIONS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        (
            "BHR Safeguarding Partners write to the Home Office in support of their "
            "recommendation that asylum-seeking mothers and their baby are never moved before "
            "the child is eight weeks old or the relevant clinician confirms that essential "
            "core postnatal care has been completed, whichever is the longer."
        ),
        "Redbridge SCP to draft letter.",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        "Letter to be signed by BHR partners – draft available at meeting on 15 10 2020.",
    ),
    (
        (
            "BHR Safeguarding Partners considers the provision of enhanced training on the "
            "complexities of the asylum system to practitioners involved in providing support "
            "to asylum seekers and their children."
        ),
        (
            "LBR Learning & Development /RSCP training function develops provision aimed "
            "at.... and offer is made available to BHR partners."
        ),
        "Promote training.",
        "Promote training.",
        "Promote training.",
        "Promote training.",
        "BHR partners to promote training.",
    ),
    (
        (
            "BHR Safeguarding Partners share this SCR report with the London Safeguarding "
            "Board so that the provision of enhanced training on the complexities of the "
            "asylum system to practitioners involved in providing support to asylum seekers "
            "and their children can be considered by other London Boroughs."
        ),
        "Redbridge SCP to draft letter.",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        "Letter to be signed by BHR partners – draft available at meeting on 15 10 2020.",
    ),
    (
        (
            "When the BHR Safeguarding Partners disseminate the learning from this case to "
            "practitioners the potential benefits of sharing information with asylum "
            "accommodation providers is highlighted."
        ),
        (
            "Redbridge SCP to develop a learning slide pack. Promote the learning slide pack "
            "across all agencies working with children, young people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        "N/A",
        "Promote the learning slide pack across health providers.",
        (
            "Learning slide pack in development by RSCP Training Manager. To be published and "
            "disseminated when available."
        ),
    ),
    (
        (
            "When the BHR Safeguarding Partners requests NHS England to emphasise the "
            "importance of obtaining comprehensive information from pregnant asylum seekers "
            "and asylum seekers with infant children to all GP practices in England."
        ),
        "Redbridge SCP to draft letter.",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        (
            "Letter to be signed by BHR Safeguarding Partners – draft available at meeting on "
            "15 10 2020."
        ),
    ),
    (
        (
            "BHR Safeguarding Partners share this SCR Report with the Safeguarding Children "
            "Partners in the London Boroughs of Hackney and Croydon and in Cardiff so that "
            "they can consider the report and advise of any needs for improvements in practice "
            "which they identify, and the action they propose to take."
        ),
        "Redbridge SCP to draft letter.",
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        (
            "BHR Safeguarding Partners to write to relevant Safeguarding Children Partners - – "
            "draft available at meeting on 15 10 2020."
        ),
    ),
    (
        (
            "When disseminating the learning from this SCR, BHR Safeguarding Partners ensure "
            "that the key issues for practitioners to take into account when assessing the "
            "risks that parental mental health could present to any child within the household "
            "are prominently included."
        ),
        (
            "Redbridge SCP to develop a learning slide pack. Promote the learning slide pack "
            "across all agencies working with children, young people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        "N/A",
        "Promote learning slide pack across health providers.",
        (
            "Learning slide pack in development by RSCP Training Manager. To be published and "
            "disseminated when available."
        ),
    ),
    (
        (
            "BHR Safeguarding Partners develop and implement as a matter of priority a "
            "strategy for improving the availability of effective interpreting services across "
            "the London Boroughs of Barking and Dagenham, Havering and Redbridge."
        ),
        (
            "Consult with LBR Commissioning and Contract Manager to review contract with "
            "Language Shop – e-mail sent on 20 09 2020."
        ),
        "Is this an issue in LBBD?",
        "Is this an issue in LBH?",
        "Is this an issue for MPS?",
        "Is this an issue for GPs and other health providers e.g. NELFT across BHR?",
        "N/A",
    ),
    (
        (
            "BHR Safeguarding Partners seek assurance that advice to parents on caring for "
            "crying and sleepless babies is accessible in all community languages."
        ),
        "Information and signposting to be made available on RSCP website.",
        "Information and signposting to be made available on B&D SCP website.",
        "Information and signposting to be made available on HSCP website.",
        "N/A",
        (
            "Ensure providers of Primary Care, Health Visiting and Midwifery have access to "
            "this information."
        ),
        "N/A",
    ),
    (
        (
            "BHR Safeguarding Partners consult with local housing providers about how the "
            "learning from this review can inform approaches to address the risks associated "
            "with the placing of asylum seekers with dependent children in the Borough."
        ),
        "",
        "",
        "",
        "",
        "",
        "",
    ),
    (
        (
            "BHR Safeguarding Partners widely disseminate the learning from this SCR and take "
            "that opportunity to remind practitioners about policy and practice in respect of "
            "modern slavery."
        ),
        (
            "Redbridge SCP to develop a learning slide pack. Promote the learning slide pack "
            "across all agencies working with children, young people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        "N/A",
        (
            "Promote the learning slide pack across all agencies working with children, young "
            "people and families."
        ),
        (
            "Learning slide pack in development by RSCP Training Manager. To be published and "
            "disseminated when available."
        ),
    ),
)


FORWARD_PLAN: tuple[str | tuple[str, str, str], ...] = (
    "Meeting: July 2020 – no meeting held",
    "Meeting: 3 August 2020",
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing agenda item"),
    (
        "Domestic Abuse – Presentation of Responses",
        "All",
        "Documents to be shared post-meeting by LBBD and LBR.",
    ),
    ("CAMHS Tier 4 – Response to Self-Harm and Eating Disorders", "All", ""),
    "Meeting: 19 September 2020",
    (
        "BHR Safeguarding Partnership Annual Report",
        "All",
        (
            "Annual Report to be provided by the statutory partnership – see Working Together "
            "2018 section 35, page 77 – which is commented on by the Independent Scrutineers."
        ),
    ),
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing agenda item."),
    ("Rapid Review/CSPR Process – for approval", "TDV", "Comments back to TDV by 14 08 2020."),
    (
        "Joint working with the Violence Reduction Unit (VRU)",
        "AL",
        "TBC – subject to VRU engagement – C/F to October agenda.",
    ),
    ("LAC and Care Leavers Placed Out of Borough", "All", "C/F to November agenda."),
    "Meeting: 15 October 2020",
    "Meeting: November 2020 [Date TBC]",
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing agenda item."),
    ("Case Review Tracker", "All", "Standing agenda item."),
    ("BHR Case Review Guidance and Documentation", "TDV", ""),
    ("LAC and Care Leavers Placed Out of Borough", "All", ""),
    "Meeting: January 2020 [Date TBC]",
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing Agenda item."),
    ("Case Tracker Review", "All", "Standing Agenda item."),
    (
        (
            "Outcomes, Feedback and Learning from Rapid Reviews and Child Safeguarding "
            "Practice Reviews"
        ),
        "All",
        "Six-monthly",
    ),
    "Meeting: February 2021 [Date TBC]",
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing agenda item."),
    ("Case Review Tacker", "All", "Standing agenda item."),
    "Meeting: March 2021 [Date TBC]",
    ("Update from Partners on impact and response to COVID-19.", "All", "Standing Agenda item."),
    ("Case Review Tacker", "All", "Standing Agenda item."),
)


AGENDA_15_OCTOBER_2020: tuple[tuple[int, str, str, str, int, tuple[str, ...], bool], ...] = (
    (
        1,
        "Welcome, Introductions and Apologies",
        "Chair",
        "",
        1,
        (),
        False,
    ),
    (
        2,
        "Notes of Previous Meeting – 09 09 2020",
        "All",
        "",
        5,
        ("Notes of previous meeting",),
        False,
    ),
    (
        3,
        "Action Log 2020 - 2021",
        "All",
        "",
        5,
        ("Action log",),
        False,
    ),
    (
        4,
        "Update from Partners on impact and response to COVID-19",
        "All",
        "Standing agenda item.",
        15,
        (),
        False,
    ),
    (
        5,
        "Joint Working with the Violence Reduction Unit (VRU) (verbal update)",
        "AL",
        "TBC – subject to VRU engagement",
        15,
        (),
        False,
    ),
    (
        6,
        "Themed Learning Review Consideration – Adolescent Suicide",
        "AL/LP",
        "",
        10,
        ("Briefing - Adolescent Suicide.docx", "Kent Thematic Analysis - Executive Summary.pdf"),
        False,
    ),
    (
        7,
        "Redbridge LSCB SCR Recommendations",
        "All",
        "",
        10,
        ("SCR recommendations", "Letters"),
        False,
    ),
    (
        8,
        "BHR Case Review Guidance, Process and Forms",
        "TDV",
        "",
        5,
        (
            "Case Review Protocol.docx",
            "Case Review Referral Form.docx",
            "Rapid Review Process.docx",
            "Rapid Review Individual Agency Summary.docx",
            "Learning from No Harm Incidents.docx",
            "Rapid Review Letter.docx",
        ),
        False,
    ),
    (
        9,
        "BHR Case Review Tracker",
        "All",
        "Standing agenda item.",
        5,
        ("Case review tracker",),
        True,
    ),
    (
        10,
        (
            "Phase 1 Report - Multi-Agency Arrangements - Expert Review by Sir Alan Wood – "
            "Next Steps"
        ),
        "All",
        "",
        20,
        ("Sir Alan Wood - Phase One Report.pdf",),
        False,
    ),
    (
        11,
        "Agenda Forward Plan Update",
        "All",
        "",
        5,
        ("Forward plan",),
        False,
    ),
    (
        12,
        "Any Other Business (AOB)",
        "All",
        "",
        5,
        (),
        False,
    ),
    (
        13,
        "Dates of Future Meetings via MS Teams",
        "All",
        "",
        1,
        (),
        False,
    ),
)

MINUTES_9_SEPTEMBER_2020: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Welcome",
        (
            (
                "paragraph",
                (
                    "JC welcomed all to the meeting. Apologies had been received as above. All "
                    "agencies represented."
                ),
                "",
            ),
        ),
    ),
    (
        "Notes of Previous Meeting – 03 08 2020",
        (
            (
                "paragraph",
                (
                    "The draft notes of the previous meeting were agreed with the one "
                    "amendment relating to attendance of RS."
                ),
                "",
            ),
        ),
    ),
    (
        "Action Log 2020 - 2021",
        (
            ("paragraph", "An updated version of the Action Log was presented.", ""),
            (
                "paragraph",
                (
                    "Action 2020/01 - C/F – awaiting confirmation that ToR have been added to "
                    "B&D SCP and Havering SCP websites."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "Action 2020/07 - C/F – awaiting update from AL. Added to October agenda "
                    "(TBC) and JC added to action."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "Action 2020/08 - update provided by JC. Further clarification for "
                    "timescale to be advised at the next meeting. C/F."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "Action 2020/10 – further consideration needed by partners to the "
                    "recommendations and how they apply. Clarification to be sought with "
                    "Independent Chair of the Redbridge SCP on required timescale. C/F"
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "Action 2020/11 - considered at meeting and final suite of papers, with "
                    "branding, etc. to be presented to the October meeting. Content for "
                    "section on CDR to be added once CDR Manager in post. C/F"
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "Action 2020/16 – Report scheduled to be shared with CDR Manager for "
                    "consideration once in post. Anticipated first week in November. C/F"
                ),
                "",
            ),
        ),
    ),
    (
        "Update from Partners on Impact and Response to COVID-19",
        (
            ("subheading", "LB Redbridge:", ""),
            (
                "bullet",
                (
                    "All schools have reopened and majority of children have returned. The "
                    "risk assessments completed by schools are generally robust and primary "
                    "school staff are reminding parents/carers at the start and end of the day "
                    "to be mindful of social distancing."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Small increase in COVID-19 cases and two recent deaths, both of which are "
                    "attributed to community pneumonia rather than COVID."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Referrals into the MASH are picking up as anticipated, with an increase "
                    "in the volume going directly to S47 enquiries. Concern around potential "
                    "backlog of MERLINS. Requested clarification from JC on numbers and what "
                    "weekends the additional staffing will be implemented so that the MASH can "
                    "plan."
                ),
                "",
            ),
            (
                "action",
                (
                    "JC to make enquiries with DCI who oversees the MASHs and advise back to "
                    "CC, KD and TDV to support planning."
                ),
                "",
            ),
            ("subheading", "LB Barking and Dagenham:", ""),
            (
                "bullet",
                (
                    "Upward trajectory in the number and complexity of child protection "
                    "referrals resulting in an increase in number of children subject to Child "
                    "Protection Plans. During lockdown the numbers coming into care had "
                    "dropped, but that is now beginning to rise to 'normal' levels. Number of "
                    "missing children remains low."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Every child that has a positive test for COVID is reviewed to check "
                    "whether they are known to Children's Social Care."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "All schools are open. However, there have been large numbers of children "
                    "being sent home following symptom identification and positive testing "
                    "amongst teachers. Schools have in some cases reverted to the blanket "
                    "guidance of everyone potentially exposed to self-isolate for two weeks. "
                    "Some children have now returned following review. Consideration being "
                    "given as to whether face coverings in secondary schools should be "
                    "enforced."
                ),
                "",
            ),
            ("subheading", "LB Havering:", ""),
            (
                "bullet",
                (
                    "Number of contacts had gone up but are now steadying. CP numbers are not "
                    "going up. LAC numbers are steady."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "All schools have gone back and lots of planning has been undertaken "
                    "around outbreak prevention. Expecting a surge in referrals now schools "
                    "are back."
                ),
                "",
            ),
            ("subheading", "CCG:", ""),
            (
                "bullet",
                (
                    "CDOP Manager and CDOP Administrator post holders have been recruited to "
                    "and will be in post by the beginning of November."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Recruitment to the two additional Safeguarding Adults Designated Nurses "
                    "posts has been completed, with both occupants moving from provider "
                    "services within the BHR footprint."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Next focus is to increase resource in the quality assurance section of "
                    "the Safeguarding Team."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "CAMHS access remains a concern following feedback from GPs and access "
                    "into IAPS by adults. Commissioning colleagues are working on a project "
                    "relating to Mental Health Standard Funding. A CAMHS collaborative has "
                    "been set up by ELFT looking at access to Tier 4 beds across London and "
                    "leading work across pre-admission space starting on 01 October. This "
                    "should provide savings which will be ploughed back into home treatment "
                    "teams for children. Waiting times for CAHMS in Emergency Departments have "
                    "been identified due to a variety of reasons and there is another "
                    "workstream addressing this."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "CCG attendance requested at an Emergency Department Safeguarding Meeting. "
                    "Waiting to hear more about the purpose of this which is likely to be "
                    "around the safeguarding children agenda."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Number of positive tests is rising across BHR but the number of deaths is "
                    "declining. We may see that begin to rise along with hospital admissions. "
                    "The message is not to be complacent and to continue with handwashing and "
                    "use of PPE. Anticipating neuro virus and other flu strains and "
                    "expectation of a second COVID wave. The CCG is seeking 100% compliance of "
                    "all staff to have flu vaccines to avoid a potential massive impact across "
                    "the system."
                ),
                "",
            ),
            ("subheading", "MPS", ""),
            (
                "bullet",
                (
                    "Notting Hill Carnival in operational terms not as challenging as had been "
                    "anticipated. Significant numbers of unlicensed music events across London "
                    "but these were dispersed or managed appropriately."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Safer Neighbourhood Teams are engaging with schools as they return and "
                    "resources have been reviewed in anticipation of a surge in demand. Daily "
                    "churn of referrals returning to near normal levels but no significant "
                    "rise yet."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Domestic Abuse levels and numbers of children exposed had increased "
                    "during lockdown. These are still higher than usual. Focus is being given "
                    "to dealing with DA cases promptly within the first 24 hours which has "
                    "resulted in improve victim engagement and prosecution rate."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Guidance around COVID-19 is being reviewed following the government "
                    "announcement that social gatherings will be restricted from 14 September "
                    "to six people from no more than two household. The four pillars of the "
                    "MPS approach remain in place - Engage, explain, encourage and enforce – "
                    "but there is potential that there may need to be more emphasis on "
                    "enforcement if social distancing becomes too relaxed."
                ),
                "",
            ),
            (
                "bullet",
                (
                    "Missing children numbers remain low. Pilot programme being proposed which "
                    "focuses on improving engagement with LAC and care providers by the BCU, "
                    "particularly with those settings that generate the highest number of "
                    "missing children reports."
                ),
                "",
            ),
            ("action", "JC to hold meeting with RS, AL and EA to take forward.", "2020/17"),
        ),
    ),
    (
        "Statutory Responsibilities Table",
        (
            (
                "paragraph",
                (
                    "The table was agreed subject to final confirmation from AL and RS. It now "
                    "reflects that any delegation of responsibility from the BHR Safeguarding "
                    "Partnership to local Partnerships is to the Statutory Partners at that "
                    "level."
                ),
                "",
            ),
            (
                "action",
                (
                    "LP and KD to clear with AL and RS. Document to then be published on local "
                    "SCP websites."
                ),
                "2020/18",
            ),
        ),
    ),
    (
        "Rapid Review/CSPR",
        (
            (
                "paragraph",
                (
                    "TDV presented the suite of draft documents relating to commissioning and "
                    "undertaking Rapid Reviews and Child Safeguarding Practice Reviews. "
                    "Comments made at the last meeting and subsequent to that had been taken "
                    "into account. There was now general agreement that decision making should "
                    "be held by the statutory safeguarding partners at a local level but "
                    "learning shared across the BHR Safeguarding Partnership and monitoring of "
                    "progress of reviews, via the tracker. MGC pointed out that the reference "
                    "to Serious Incidents could be misleading for health colleagues as this "
                    "term refers to a different internal health process."
                ),
                "",
            ),
            (
                "action",
                (
                    "TDV to review references to SIs and make this clear, using the "
                    "terminology in Working Together 2018."
                ),
                "2020/19",
            ),
            (
                "action",
                (
                    "MW/ LP to compare the Agency request form with those that have been used "
                    "in LBR and LBH and make any further improvements or developments as "
                    "appropriate."
                ),
                "2020/20",
            ),
            (
                "action",
                (
                    "TDV/MW/LP to work together on finalising the suite of documents and "
                    "branding for hosting on the local SCP websites."
                ),
                "2020/21",
            ),
            (
                "action",
                (
                    "TDV to ask the new CDR Manager will be asked to develop content on the "
                    "link with the CDR process, including the referral route for consideration "
                    "of CSPRs to local SCPs."
                ),
                "2020/22",
            ),
            (
                "action",
                "LP to add to the Agenda Forward Plan for the October and November meetings.",
                "2020/23",
            ),
            (
                "paragraph",
                (
                    "The BHR Case Review Tracker had been brought up to date for review and "
                    "monitoring. Needs to be maintained as a 'live' document."
                ),
                "",
            ),
            ("action", "LP to add as a Standing Item to the Agenda Forward Plan.", "2020/24"),
        ),
    ),
    (
        "Response to Recommendations from the Redbridge LSCB SCR Review Report",
        (
            (
                "paragraph",
                (
                    "The recommendations made in the Redbridge LSCB Serious Case Review (SCR) "
                    "'Baby T' Report specifically to the BHR Safeguarding Partnership were "
                    "presented in table form with actions allocated to each agency. It was "
                    "agreed that more time was needed to consider the implications for each."
                ),
                "",
            ),
            (
                "action",
                (
                    "any comments to be made to LP between meetings and to be added to the "
                    "Agenda for the next meeting for sign off."
                ),
                "2020/25",
            ),
            (
                "action",
                (
                    "LP to clarify with Independent Chair of the Redbridge SCP any concerns "
                    "around timescale for taking forward the recommendations."
                ),
                "2020/26",
            ),
        ),
    ),
    (
        "Adolescent Suicide – Possible Themed Review",
        (
            (
                "paragraph",
                (
                    "CC provided a brief overview of the case of an adolescent suicide in "
                    "June, on which a Rapid Review had been undertaken and the report sent to "
                    "the National Panel. The Panel had agreed with the conclusion made by the "
                    "local safeguarding partners that a CSPR was not appropriate but "
                    "encouraged exploration of a themed adolescent suicide review. Partners "
                    "were asked to consider the value in a review and if there was merit, "
                    "whether this should be conducted by the Partnership or recommended as an "
                    "action for CDR."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "LP had provided data for the period March 2019 – August 2020 on suicides "
                    "which involved low numbers. MPS were working on the data they held on "
                    "suicide attempts but this was problematic as there was no automatic flag "
                    "and two systems (CAD and MERLIN) had to be interrogated. The rough data "
                    "set had identified 21 attempts for LBR; 23 for LBH; and 26 for B&D. This "
                    "data had to be verified. There were also issues with how an attempt was "
                    "defined and interpreted and also whether they were incidents that "
                    "happened within BHR but the individual children could live outside of the "
                    "footprint."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "EA supported exploring a themed review and felt that there were "
                    "significant challenges currently with the mental health services "
                    "available to adolescents, particularly those experiencing transition from "
                    "children to adult services. She felt it was worth looking at the 18 – 24 "
                    "pathway collaboratively. JC agreed that a focus on transition would be "
                    "worthwhile."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "LP advised that NELFT had undertaken a themed review recently across a "
                    "wider footprint and had identified a trend with young people with ASD. "
                    "She had asked if the learning could be shared. There was also the "
                    "learning from the Internal Learning Reviews (ILRs) undertaken in "
                    "Redbridge on two adolescent suicides last year."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "LP advised that the conclusion of the Rapid Review that had instigated "
                    "the discussion did not find that there were issues with CAHMS service "
                    "provision offered and transition didn't feature. MW confirmed that "
                    "neither were these issues in the LBH suicide."
                ),
                "",
            ),
            (
                "paragraph",
                (
                    "MGC said that the National Confidential Inquiry into Suicide and Safety "
                    "in Mental Health is likely to have covered issues such as transition, "
                    "which we wouldn't want to repeat if there is learning there already. He "
                    "felt that looking specifically at adolescent suicide relating to COVID is "
                    "too early as we are still in the pandemic."
                ),
                "",
            ),
            (
                "action",
                (
                    "LP/CC to take away and look at whether there are sufficient gaps in "
                    "learning that could be addressed in a BHR themed review and bring back to "
                    "the October meeting for a decision."
                ),
                "2020/27",
            ),
        ),
    ),
    (
        "Agenda Forward Plan Update",
        (
            (
                "paragraph",
                (
                    "The current version of the Agenda Forward Plan for the remaining meetings "
                    "for 2020 – 2021 was reviewed and updated."
                ),
                "",
            ),
        ),
    ),
    (
        "Any Other Business",
        (("bullet", "No AOB.", ""),),
    ),
    (
        "Dates of Future Meetings",
        (
            ("paragraph", "Meeting dates had been agreed as follows:", ""),
            (
                "bullet",
                "15 October 2020 @ 09:00 – Chair – EA Secretariat Eleanor Parkin (LBBD)",
                "",
            ),
            (
                "action",
                (
                    "dates to be set for the remainder of the year to March 2021 at six weekly "
                    "intervals by LP/MW/TDV"
                ),
                "2020/28",
            ),
        ),
    ),
)


LETTERS: tuple[tuple[str, tuple[str, ...], str, str, tuple[str, ...]], ...] = (
    (
        "home-office",
        (
            "Kevin Foster MP",
            "Minister for Future Borders and Immigration",
            "UK Visas and Immigration",
            "Home Office",
            "2 Marsham Street",
            "LONDON",
            "SW1P 4DF",
        ),
        "Dear Mr Foster",
        (
            (
                "The former Redbridge Local Safeguarding Children's Board (LSCB) published on "
                "14 January 2020 a report of a Serious Case Review (SCR) concerning the death "
                "of 'Baby T', a copy of which is enclosed. 'Baby T' was the child of a "
                "Vietnamese asylum seeker. She died at the age of 11 months whilst in the care "
                "of an unregistered childminder, who was subsequently convicted of her "
                "manslaughter."
            ),
            (
                "The review makes several recommendations to the Home Office which were "
                "referred to your Department by the Independent Chair of the Redbridge SCP, "
                "John Goldup, in February 2020."
            ),
            (
                "Recommendation 3 (below) was for the statutory safeguarding partners, the "
                "Barking & Dagenham, Havering and Redbridge (BHR) Safeguarding Partnership, to "
                "seek support with."
            ),
            (
                "The BHR Safeguarding Partnership to request that the Home Office consider the "
                "recommendation that asylum-seeking mothers and their baby are never moved "
                "before the child is eight weeks old or the relevant clinician confirms that "
                "essential core postnatal care has been completed, whichever is the longer."
            ),
            (
                "The background to this recommendation is contained in paragraph 7.5 of the "
                "report. The SCR Panel understood that an internal recommendation had already "
                "been made in the Home Office to this effect."
            ),
            "I look forward to your response to this recommendation.",
        ),
    ),
    (
        "london-safeguarding-children-partnership",
        (
            "FAO:",
            "Chair",
            "Executive - London Safeguarding Children Partnership",
            "C/O London Councils",
            "59½ Southwark Street",
            "LONDON SE1 0AL",
        ),
        "Dear Chair",
        (
            (
                "The former Redbridge Local Safeguarding Children's Board (LSCB) published on "
                "14 January 2020 a report of a Serious Case Review (SCR) concerning the death "
                "of 'Baby T', a copy of which is enclosed. 'Baby T' was the child of a "
                "Vietnamese asylum seeker. She died at the age of 11 months whilst in the care "
                "of an unregistered childminder, who was subsequently convicted of her "
                "manslaughter."
            ),
            (
                "One of the recommendations was that the BHR Safeguarding Partnership share "
                "this SCR report with the London Safeguarding Children Partnership Executive "
                "so that the provision of enhanced training on the complexities of the asylum "
                "system to practitioners involved in providing support to asylum seekers and "
                "their children can be considered by other London Boroughs."
            ),
            (
                "It would be helpful if you could arrange for the issues raised in the Report "
                "to be shared across London Boroughs."
            ),
        ),
    ),
    (
        "nhs-england",
        (
            "FAO:",
            "Sir Simon Stevens",
            "Chief Executive",
            "NHS England,",
            "PO Box 16738,",
            "REDDITCH B97 9PT",
        ),
        "Dear Sir Stevens",
        (
            (
                "The former Redbridge Local Safeguarding Children's Board (LSCB) published on "
                "14 January 2020 a report of a Serious Case Review (SCR) concerning the death "
                "of 'Baby T', a copy of which is enclosed. 'Baby T' was the child of a "
                "Vietnamese asylum seeker. She died at the age of 11 months whilst in the care "
                "of an unregistered childminder, who was subsequently convicted of her "
                "manslaughter."
            ),
            (
                "One of the recommendations (Recommendation 11, page 63) was that the "
                "statutory safeguarding partners request that NHS England emphasise the "
                "importance of obtaining comprehensive information from pregnant asylum "
                "seekers and asylum seekers with infant children to all GP practices in "
                "England."
            ),
            "I am writing to seek your support with this recommendation.",
        ),
    ),
    (
        "hackney-croydon-cardiff",
        (
            "FAO: Chairs of",
            "City of London & Hackney Safeguarding Children Partnership",
            "Croydon Safeguarding Children Partnership",
            "Cardiff & Vale of Glamorgan Regional Safeguarding Children Board",
        ),
        "Dear Chairs",
        (
            (
                "The former Redbridge Local Safeguarding Children's Board (LSCB) published on "
                "14 January 2020 a report of a Serious Case Review (SCR) concerning the death "
                "of 'Baby T', a copy of which is enclosed."
            ),
            (
                "'Baby T' was the child of a Vietnamese asylum seeker. She died at the age of "
                "11 months whilst in the care of an unregistered childminder, who was "
                "subsequently convicted of her manslaughter."
            ),
            (
                "On behalf of the SCR Panel, I would like to thank those agencies in your "
                "areas that took part in the Review and would commend the Report to them."
            ),
            "Recommendation 12 (page 64) of the Report was:",
            (
                "that the BHR Safeguarding Partners share this SCR Report with the "
                "Safeguarding Children Partners in the London Boroughs of Hackney and Croydon "
                "and in Cardiff so that they can consider the report and advise of any need "
                "for improvements in practice which they identify, and the action they propose "
                "to take."
            ),
            (
                "I would ask that you disseminate the Report the report and consider the "
                "findings and apply any appropriate learning in your areas."
            ),
            "Many thanks.",
        ),
    ),
)

# Each letter's bookmark and agenda line, as the product brief names them.
LETTER_TITLES = {
    "home-office": "Letter to the Home Office",
    "london-safeguarding-children-partnership": (
        "Letter to the London Safeguarding Children Partnership"
    ),
    "nhs-england": "Letter to NHS England",
    "hackney-croydon-cardiff": "Letter to the Hackney, Croydon and Cardiff partnerships",
}

SCR_HEADER_COMMENTS = (
    "The Report which was presented to and accepted by the Redbridge LSCB at its last meeting in "
    "October 2019 contained 19 recommendations, 11 of which were for the BHR Safeguarding "
    "Partners. The other recommendations have been acted upon at local level by the RSCP."
)
SCR_AGENCIES = (
    "Redbridge SCP",
    "B&D SCP",
    "Havering SCP",
    "East Area BCU MPS",
    "BHR CCGs",
    "BHR Safeguarding Partners",
)

BOLD = Font(name="Arial", size=10, bold=True)
PLAIN = Font(name="Arial", size=10)
TITLE = Font(name="Arial", size=14, bold=True)
SUBTITLE = Font(name="Arial", size=12, bold=True)
LINK = Font(name="Arial", size=10, color="0563C1", underline="single")
HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top", wrap_text=True)
UK_DATE = "dd/mm/yyyy"
LONG_DATE = "dd mmmm yyyy"
TIME = "hh:mm"


def new_sheet(wb: Workbook, title: str) -> Worksheet:
    """Return the workbook's first sheet renamed, or a new sheet after it."""
    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    return ws


def add_title(ws: Worksheet, text: str, width: int, font: Font = TITLE) -> None:
    """Append a bold title row merged across the table's width."""
    ws.append([text])
    row = ws.max_row
    ws.cell(row, 1).font = font
    ws.cell(row, 1).alignment = Alignment(vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 21 if font is TITLE else 18


def add_headings(ws: Worksheet, names: Sequence[str]) -> int:
    """Append the bold heading row, repeat it on every printed page and freeze panes below it."""
    ws.append(list(names))
    row = ws.max_row
    for col in range(1, len(names) + 1):
        cell = ws.cell(row, col)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADING_FILL, BOX, WRAP
    ws.print_title_rows = f"{row}:{row}"
    ws.freeze_panes = f"A{row + 1}"  # a coordinate: ws.cell() would create the row
    return row


def add_section(ws: Worksheet, text: str, width: int) -> None:
    """Append a `Meeting: ...` section row merged across the table."""
    ws.append([text])
    row = ws.max_row
    for col in range(1, width + 1):
        ws.cell(row, col).border = BOX
        ws.cell(row, col).fill = SECTION_FILL
    ws.cell(row, 1).font = BOLD
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def add_row(ws: Worksheet, values: Sequence[object], formats: dict[int, str] | None = None) -> int:
    """Append a bordered, wrapped data row; `formats` maps 1-based columns to number formats."""
    ws.append([None if v == "" else v for v in values])
    row = ws.max_row
    for col in range(1, len(values) + 1):
        cell = ws.cell(row, col)
        cell.font, cell.border, cell.alignment = PLAIN, BOX, WRAP
        if isinstance(values[col - 1], str):
            cell.number_format = "@"  # typed as text, as officers' dates like `09 09 2020` are
        if formats and col in formats:
            cell.number_format = formats[col]
    return row


def set_widths(ws: Worksheet, widths: Iterable[float]) -> None:
    """Set column widths in characters."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def fit_rows(ws: Worksheet) -> None:
    """Give rows without a set height one tall enough for their wrapped text, as Excel saves it."""
    merged = {rng.start_cell.coordinate: rng for rng in ws.merged_cells.ranges}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        index = row[0].row
        if ws.row_dimensions[index].height is not None:
            continue
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            last = merged[cell.coordinate].max_col if cell.coordinate in merged else cell.column
            width = sum(
                ws.column_dimensions[get_column_letter(col)].width or 9
                for col in range(cell.column, last + 1)
            )
            lines = max(lines, wrapped_lines(cell.value, width))
        ws.row_dimensions[index].height = 13 * lines + 3


def wrapped_lines(text: str, width: float) -> int:
    """Estimate how many lines Arial 10 wraps `text` to in a column `width` characters wide."""
    usable = max(width - 1.5, 1) * 1.2  # a width unit is one "0"; average text is narrower
    return sum(max(1, math.ceil(len(line) / usable)) for line in text.split("\n"))


def set_page(ws: Worksheet, landscape: bool = True) -> None:
    """Print on A4, fitted to the page width, as the officers' sheets are set up."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "Page &P of &N"
    fit_rows(ws)


def action_log() -> Workbook:
    """Build action_log.xlsx: sections per meeting, the ref in the Date column, no Status."""
    wb = Workbook()
    ws = new_sheet(wb, "Action Log")
    add_title(ws, PARTNERSHIP, 4)
    add_title(ws, "Action Log 2020 - 2021", 4, SUBTITLE)
    add_headings(ws, ("Date", "Action", "Lead", "Update Comments"))
    for entry in ACTION_LOG:
        if isinstance(entry, str):
            add_section(ws, entry, 4)
        else:
            add_row(ws, entry)
    set_widths(ws, (11, 62, 18, 62))
    set_page(ws)
    return wb


def case_review_tracker() -> Workbook:
    """Build case_review_tracker.xlsx: one case per row, dates as typed text."""
    wb = Workbook()
    ws = new_sheet(wb, "Case Review Tracker")
    add_title(ws, f"{PARTNERSHIP} Case Review Tracker", 7)
    ws.append([])
    add_headings(
        ws,
        (
            "Initials",
            "Notification Date to NP",
            "Case Summary/Themes",
            "Lead Authority",
            "Update",
            "Presentation to Local SCP",
            "Published Y/N",
        ),
    )
    for case in CASE_REVIEW_TRACKER:
        add_row(ws, case)
    set_widths(ws, (10, 14, 45, 11, 70, 14, 12))
    set_page(ws)
    return wb


def forward_plan() -> Workbook:
    """Build forward_plan.xlsx: the plan's meetings, with 15 October 2020 as its agenda."""
    wb = Workbook()
    ws = new_sheet(wb, "Forward Plan")
    headings = ("Item", "Agenda Item", "Lead", "Notes", "Minutes", "Papers", "Restricted")
    add_title(ws, PARTNERSHIP, len(headings))
    add_title(ws, "Agenda Forward Plan 2020 - 2021", len(headings), SUBTITLE)
    ws.append(["Meetings are held approximately every six weeks."])
    ws.cell(ws.max_row, 1).font = Font(name="Arial", size=9, italic=True)
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=7)
    add_headings(ws, headings)
    for entry in FORWARD_PLAN:
        if entry == "Meeting: 15 October 2020":
            add_agenda(ws)
        elif isinstance(entry, str):
            add_section(ws, entry, len(headings))
        else:
            add_row(ws, ("", *entry, "", "", ""))
    set_widths(ws, (7, 50, 10, 40, 9, 44, 11))
    set_page(ws)
    return wb


def add_agenda(ws: Worksheet) -> None:
    """Append the `Meeting: 15 October 2020` section and its numbered agenda items."""
    add_section(ws, "Meeting: 15 October 2020", 7)
    for number, title, lead, notes, minutes, papers, restricted in AGENDA_15_OCTOBER_2020:
        row = add_row(
            ws, (number, title, lead, notes, minutes, "\n".join(papers), "Y" if restricted else "N")
        )
        for col in (1, 5, 7):
            ws.cell(row, col).alignment = CENTRE


def scr_recommendations() -> Workbook:
    """Build scr_recommendations.xlsx: the case header block, then one recommendation per row."""
    wb = Workbook()
    ws = new_sheet(wb, "Recommendations")
    width = 1 + len(SCR_AGENCIES)
    add_title(ws, "Recommendations from Case Reviews for BHR Safeguarding Partnership", width)
    ws.append([])
    add_header_pair(
        ws, 3, ("Case Type:", "Serious Case Review (SCR)"), ("Publication Date:", "14 01 2020")
    )
    add_header_pair(ws, 4, ("Lead LSCP:", "Redbridge SCP"), ("Title and link to Report:", ""))
    link = ws.cell(4, 6, "Redbridge LSCB Serious Case Review (SCR) – Baby ‘T’")
    link.hyperlink, link.font = REPORT_URL, LINK
    ws.cell(5, 1, "Comments:").font = BOLD
    ws.cell(5, 1).alignment = WRAP
    ws.cell(5, 2, SCR_HEADER_COMMENTS).alignment = WRAP
    ws.merge_cells(start_row=5, start_column=2, end_row=5, end_column=width)
    ws.row_dimensions[5].height = 40
    for row in (3, 4, 5):
        for col in range(1, width + 1):
            ws.cell(row, col).border = BOX
    ws.append([])
    add_headings(ws, ("Recommendation", *SCR_AGENCIES))
    for recommendation in RECOMMENDATIONS:
        add_row(ws, recommendation)
    set_widths(ws, (48, 30, 20, 20, 18, 24, 30))
    set_page(ws)
    return wb


def add_header_pair(ws: Worksheet, row: int, left: tuple[str, str], right: tuple[str, str]) -> None:
    """Write two label/value pairs of the header block: A label, B:D value, E label, F:G value."""
    for col, (label, value), end in ((1, left, 4), (5, right, 7)):
        ws.cell(row, col, label).font = BOLD
        ws.cell(row, col).alignment = WRAP
        if value:
            ws.cell(row, col + 1, value).number_format = "@"
        ws.cell(row, col + 1).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=col + 1, end_row=row, end_column=end)


def meetings() -> Workbook:
    """Build meetings.xlsx: Meetings, Members and Attendance sheets."""
    wb = Workbook()
    ws = new_sheet(wb, "Meetings")
    add_title(ws, f"{PARTNERSHIP} Meetings 2020 - 2021", 6)
    add_headings(ws, ("Date", "Start", "End", "Venue", "Chair", "Secretariat"))
    for meeting in MEETINGS:
        add_row(ws, meeting, {1: LONG_DATE, 2: TIME, 3: TIME})
    set_widths(ws, (20, 8, 8, 14, 10, 18))
    set_page(ws, landscape=False)

    ws = new_sheet(wb, "Members")
    headings = ("Name", "Initials", "Title", "Agency", "Email", "Receives Pack", "Role", "Send As")
    add_title(ws, f"{PARTNERSHIP} Members", len(headings))
    add_headings(ws, headings)
    for member in MEMBERS:
        add_row(ws, member)
    set_widths(ws, (20, 9, 40, 24, 34, 9, 9, 9))
    set_page(ws)

    ws = new_sheet(wb, "Attendance")
    add_title(ws, f"{PARTNERSHIP} Attendance", 5)
    add_headings(ws, ("Meeting", "Member", "Attendance", "Deputising For", "Arrived"))
    for member, attended, deputising, arrived in ATTENDANCE_9_SEPTEMBER_2020:
        add_row(
            ws,
            (PREVIOUS_MEETING, member, attended, deputising, arrived or ""),
            {1: UK_DATE, 5: TIME},
        )
    set_widths(ws, (12, 10, 12, 14, 9))
    set_page(ws, landscape=False)
    return wb


def minutes() -> Workbook:
    """Build minutes.xlsx: the notes of 9 September 2020, one paragraph per row."""
    wb = Workbook()
    ws = new_sheet(wb, "Minutes")
    add_title(ws, "Notes of the BHR Safeguarding Partnership Meeting – 09 September 2020", 6)
    add_headings(ws, ("Meeting", "Item", "Title", "Style", "Text", "Action Ref"))
    for number, (title, paragraphs) in enumerate(MINUTES_9_SEPTEMBER_2020, start=1):
        for index, (style, text, ref) in enumerate(paragraphs):
            first = index == 0
            row = add_row(
                ws,
                (PREVIOUS_MEETING, number, title if first else "", style, text, ref),
                {1: UK_DATE},
            )
            if first:
                ws.cell(row, 3).font = BOLD
    set_widths(ws, (12, 6, 30, 11, 90, 11))
    set_page(ws)
    return wb


def letters() -> Workbook:
    """Build letters.xlsx: the four letters of agenda item 7, one per row."""
    wb = Workbook()
    ws = new_sheet(wb, "Letters")
    headings = (
        "Key",
        "Meeting",
        "Item",
        "Recipient",
        "Date",
        "Salutation",
        "Subject",
        "Body",
        "Signatory",
        "Signed",
        "Signature",
        "Reply Address",
        "Enclosure",
        "Title",
    )
    add_title(ws, f"{PARTNERSHIP} Letters", len(headings))
    add_headings(ws, headings)
    for key, recipient, salutation, body in LETTERS:
        values = (
            key,
            MEETING,
            7,
            "\n".join(recipient),
            "15 October 2020",
            salutation,
            "Serious Case Review Recommendation",
            "\n\n".join(body),
            SIGNATORY,
            "Y",
            SIGNATURE_FILE,
            "RSCP@redbridge.gov.uk",
            REPORT_TITLE if any("a copy of which is enclosed" in p for p in body) else "",
            LETTER_TITLES[key],
        )
        add_row(ws, values, {2: UK_DATE})
    set_widths(ws, (22, 11, 5, 34, 15, 14, 20, 90, 14, 7, 18, 22, 30, 34))
    set_page(ws)
    return wb


def signature(width: int = 600, height: int = 200) -> bytes:
    """Draw a handwritten-looking signature as a smooth pen stroke on a transparent PNG."""
    from PIL import Image, ImageDraw  # tools-only dependency (the `dev` extra)

    scale = 4
    image = Image.new("RGBA", (width * scale, height * scale), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for stroke in SIGNATURE_STROKES:
        points = smooth([(x * scale, y * scale) for x, y in stroke])
        for index, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
            # The pen presses harder mid-stroke and lifts at both ends.
            phase = index / max(len(points) - 2, 1)
            pen = scale * (1.6 + 1.6 * math.sin(math.pi * phase))
            draw.line((x0, y0, x1, y1), fill=(20, 30, 90, 255), width=round(pen))
            r = pen / 2
            draw.ellipse((x1 - r, y1 - r, x1 + r, y1 + r), fill=(20, 30, 90, 255))
    image = image.resize((width, height), Image.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def smooth(points: Sequence[tuple[float, float]], steps: int = 24) -> list[tuple[float, float]]:
    """Interpolate a Catmull-Rom spline through the points."""
    padded = [points[0], *points, points[-1]]
    curve: list[tuple[float, float]] = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            curve.append(
                tuple(  # type: ignore[misc]
                    0.5
                    * (
                        2 * b
                        + (c - a) * t
                        + (2 * a - 5 * b + 4 * c - d) * t * t
                        + (3 * b - a - 3 * c + d) * t**3
                    )
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    curve.append(points[-1])
    return curve


# "A. Loades" in three strokes of a 600x200 box: the A, the running "Loades", the underline.
SIGNATURE_STROKES: tuple[tuple[tuple[float, float], ...], ...] = (
    ((38, 158), (62, 100), (88, 42), (100, 30), (108, 52), (122, 118), (134, 160)),
    ((58, 118), (92, 104), (136, 100), (170, 96)),
    (
        (196, 34),
        (202, 80),
        (200, 132),
        (206, 156),
        (232, 150),
        (258, 128),
        (276, 118),
        (292, 130),
        (284, 150),
        (266, 146),
        (270, 126),
        (300, 120),
        (322, 128),
        (318, 148),
        (304, 144),
        (316, 124),
        (338, 122),
        (340, 150),
        (362, 126),
        (384, 96),
        (392, 56),
        (386, 100),
        (384, 150),
        (404, 138),
        (424, 120),
        (444, 130),
        (430, 150),
        (446, 146),
        (468, 118),
        (470, 140),
        (488, 152),
        (512, 140),
    ),
    ((120, 178), (260, 170), (420, 166), (566, 152)),
)


def save(wb: Workbook, path: Path) -> None:
    """Save the workbook with fixed timestamps so that every run writes the same bytes."""
    wb.properties.creator = "Lesley Perry"
    wb.properties.created = SAVED
    buffer = io.BytesIO()
    wb.save(buffer)
    write_zip(buffer.getvalue(), path)


def write_zip(data: bytes, path: Path) -> None:
    """Rewrite an xlsx zip with fixed member dates and a fixed modified time in its core props."""
    stamp = SAVED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            member = zipfile.ZipInfo(info.filename, date_time=SAVED.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    path.write_bytes(out.getvalue())


WORKBOOKS = {
    "action_log.xlsx": action_log,
    "case_review_tracker.xlsx": case_review_tracker,
    "forward_plan.xlsx": forward_plan,
    "scr_recommendations.xlsx": scr_recommendations,
    "meetings.xlsx": meetings,
    "minutes.xlsx": minutes,
    "letters.xlsx": letters,
}


def write_all(data_dir: Path) -> list[Path]:
    """Write every sample workbook and the signature image under `data_dir`; return the paths."""
    written = []
    for name, build in WORKBOOKS.items():
        path = data_dir / name
        save(build(), path)
        written.append(path)
    signatures = data_dir / "signatures"
    signatures.mkdir(parents=True, exist_ok=True)
    image = signatures / SIGNATURE_FILE
    image.write_bytes(signature())
    written.append(image)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Write the sample data into the folder given (default: data/ beside this script)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "data"
    for path in write_all(data_dir):
        log.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
