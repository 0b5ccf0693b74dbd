"""SIF's 12 social-innovation applications approved in the first selection stage of measure 4.4.1.1.

Source: 004_8669f17e7be77f35.txt (SIF Council approval of 04.07.2025).
"""

from grants.core.vocabulary import (
    Aggregation,
    AmountKind,
    IndicatorKind,
    IndicatorVocabulary,
    OrganisationKind,
    OurRole,
    ProjectStatus,
    TargetRule,
)
from grants.seed.data import Org, SeedIndicator, SeedProject

MEASURE = "4.4.1.1"
DECISION_DATE = "04.07.2025"
NOTE_LV = (
    "Summa ir Sabiedrības integrācijas fonda padomes apstiprinātā summa atlases pirmajā posmā; "
    "tās sadalījums pa finansējuma avotiem nav norādīts."
)
NOTE_EN = (
    "The amount is the sum approved by the SIF Council in the first selection stage; "
    "its split between funding sources is not given."
)

DVESELES_MIERS = 'SIA "DVĒSELES MIERS"'
SAMARIESI = 'Biedrība "Latvijas Samariešu apvienība"'
MAJAS_APRUPE = 'SIA "MĀJAS APRŪPE"'
MIERA_OSTA = "Bērnu un ģimeņu atbalsta biedrība “MIERA OSTA”"
HOSPISS_MAJA = "SIA Hospiss Māja"
SALDUS_SD = 'Saldus novada pašvaldības aģentūra "Sociālais dienests"'
LAIKS_JAUNIESIEM = 'Biedrība "Laiks Jauniešiem"'
MUSMAJAS = "MŪSMĀJAS Krāslavas bērnu sociālās rehabilitācijas centrs"
AKA = 'SIA "Ģimenes attīstības centrs "Aka""'
SAIF = 'Nodibinājums "Sociālā atbalsta un izglītības fonds"'
MOPD = 'Biedrība "Maltas Ordeņa palīdzības dienests"'
LBAF = 'Nodibinājums "Latvijas Bērnu atbalsta fonds"'

SIF_APPLICANTS: list[Org] = [
    Org(DVESELES_MIERS, OrganisationKind.COMPANY, short_name="Dvēseles miers"),
    Org(SAMARIESI, OrganisationKind.NGO, short_name="Latvijas Samariešu apvienība"),
    Org(MAJAS_APRUPE, OrganisationKind.COMPANY, short_name="Mājas aprūpe"),
    Org(MIERA_OSTA, OrganisationKind.NGO, short_name="Miera osta"),
    Org(HOSPISS_MAJA, OrganisationKind.COMPANY, short_name="Hospiss Māja"),
    Org(SALDUS_SD, OrganisationKind.PUBLIC_BODY, short_name="Saldus Sociālais dienests"),
    Org(LAIKS_JAUNIESIEM, OrganisationKind.NGO, short_name="Laiks Jauniešiem"),
    # The document does not state this applicant's legal form; NGO is an assumption.
    Org(MUSMAJAS, OrganisationKind.NGO, short_name="Mūsmājas"),
    Org(AKA, OrganisationKind.COMPANY, short_name="Aka"),
    Org(SAIF, OrganisationKind.NGO, short_name="Sociālā atbalsta un izglītības fonds"),
    Org(MOPD, OrganisationKind.NGO, short_name="MOPD"),
    Org(LBAF, OrganisationKind.NGO, short_name="Latvijas Bērnu atbalsta fonds"),
]


def _project(
    code: str,
    title_lv: str,
    title_en: str,
    holder: str,
    total: str,
    indicators: list[SeedIndicator],
) -> SeedProject:
    return SeedProject(
        code=code,
        title_lv=title_lv,
        title_en=title_en,
        measure=MEASURE,
        holder=holder,
        our_role=OurRole.NONE,
        status=ProjectStatus.APPROVED,
        start=None,
        end=None,
        total=total,
        eligible=None,
        amount_kind=AmountKind.APPROVED,
        decision_date=DECISION_DATE,
        note_lv=NOTE_LV,
        note_en=NOTE_EN,
        indicators=indicators,
    )


SIF_PROJECTS: list[SeedProject] = [
    _project(
        "4.4.1.1./002",
        "Psihosociālās rehabilitācijas programmas onkoloģiskajiem slimniekiem "
        "“Per aspera ad astra” attīstība",
        "Development of the psychosocial rehabilitation programme “Per aspera ad astra” "
        "for oncology patients",
        DVESELES_MIERS,
        "99 940,20",
        [
            SeedIndicator(
                code="R1",
                name_lv="Dalībnieku skaits programmā projekta laikā",
                name_en="Number of participants in the programme during the project",
                unit_lv="personas",
                unit_en="persons",
                target="35",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
            SeedIndicator(
                code="R2",
                name_lv="Internetā publicētas nodarbības",
                name_en="Sessions published online",
                unit_lv="nodarbības",
                unit_en="sessions",
                target="24",
                rule=TargetRule.AT_LEAST,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
            SeedIndicator(
                code="R3",
                name_lv=(
                    "Unikālie skatījumi katrai internetā publicētai nodarbībai YouTube platformā "
                    "līdz projekta beigām"
                ),
                name_en=(
                    "Unique views of each session published online on YouTube "
                    "by the end of the project"
                ),
                unit_lv="skatījumi",
                unit_en="views",
                target="100",
                rule=TargetRule.AT_LEAST,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
            SeedIndicator(
                code="R4",
                name_lv=(
                    "Unikālie skatījumi katrai internetā publicētai nodarbībai YouTube platformā "
                    "gadu pēc projekta beigām"
                ),
                name_en=(
                    "Unique views of each session published online on YouTube "
                    "one year after the end of the project"
                ),
                unit_lv="skatījumi",
                unit_en="views",
                target="300",
                rule=TargetRule.AT_LEAST,
                vocabulary=IndicatorVocabulary.PROJECT,
                kind=IndicatorKind.RESULT,
                measured_after_end=True,
            ),
        ],
    ),
    _project(
        "4.4.1.1./003",
        "Samariešu UPE – Universālais Pakalpojumu Ekspresis",
        "Samaritan UPE – Universal Service Express",
        SAMARIESI,
        "276 008,00",
        [],
    ),
    _project(
        "4.4.1.1./004",
        "Reāllaika medicīnas datu monitorēšana un medicīniskās aprūpes nodrošināšana, "
        "sociālās aprūpes pakalpojuma dzīvesvietā ietvaros",
        "Real-time medical data monitoring and provision of medical care "
        "within the home-based social care service",
        MAJAS_APRUPE,
        "248 966,63",
        [],
    ),
    _project(
        "4.4.1.1./007",
        "Sociālās rehabilitācijas pakalpojums “Tavās plaukstās plaukt”",
        "Social rehabilitation service “To blossom in your palms”",
        MIERA_OSTA,
        "299 285,00",
        [
            SeedIndicator(
                code="R1",
                name_lv="Bērni ar piesaistes personām, iesaistīti divos deviņu mēnešu ciklos",
                name_en="Children with their attachment persons, involved over two 9-month cycles",
                unit_lv="bērni",
                unit_en="children",
                target="40",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
        ],
    ),
    _project(
        "4.4.1.1./008",
        "Hospisa dienas centrs – jauna, sabiedrībā balstīta pieeja sociālajai aprūpei "
        "dzīves noslēguma posmā",
        "Hospice day centre – a new, community-based approach to social care at the end of life",
        HOSPISS_MAJA,
        "195 843,05",
        [
            SeedIndicator(
                code="R1",
                name_lv=(
                    "Personas no mērķa grupas, iesaistītas pakalpojuma aprobācijā "
                    "(vismaz 12 mēnešu garumā)"
                ),
                name_en=(
                    "Persons from the target group involved in the service approbation "
                    "(at least 12 months long)"
                ),
                unit_lv="personas",
                unit_en="persons",
                target="20",
                rule=TargetRule.AT_LEAST,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
        ],
    ),
    _project(
        "4.4.1.1./010",
        "Intensīvā atbalsta komanda ģimenēm ar bērniem",
        "Intensive support team for families with children",
        SALDUS_SD,
        "291 012,00",
        [],
    ),
    _project(
        "4.4.1.1./012",
        "Ceļš uz sapratni",
        "Path to understanding",
        LAIKS_JAUNIESIEM,
        "200 000,00",
        [
            SeedIndicator(
                code="R1",
                name_lv="Jaunieši un viņu vecāki, kas ziņos par uzlabojumiem attiecībās",
                name_en="Young people and their parents who report improved relationships",
                unit_lv="%",
                unit_en="%",
                target="80",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
                aggregation=Aggregation.PERCENTAGE,
                kind=IndicatorKind.RESULT,
            ),
            SeedIndicator(
                code="R2",
                name_lv="Dalībnieki, kas saņems pozitīvu emocionālo atbalstu",
                name_en="Participants who receive positive emotional support",
                unit_lv="%",
                unit_en="%",
                target="70",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
                aggregation=Aggregation.PERCENTAGE,
                kind=IndicatorKind.RESULT,
            ),
            SeedIndicator(
                code="R3",
                name_lv="Dalībnieki, kas demonstrēs uzlabojumus sociālajās prasmēs",
                name_en="Participants who show improved social skills",
                unit_lv="%",
                unit_en="%",
                target="60",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
                aggregation=Aggregation.PERCENTAGE,
                kind=IndicatorKind.RESULT,
            ),
        ],
    ),
    _project(
        "4.4.1.1./014",
        "JASPER programma bērniem ar autismu",
        "JASPER programme for children with autism",
        MUSMAJAS,
        "83 742,00",
        [
            SeedIndicator(
                code="R1",
                name_lv="Bērni ar autismu, kas apmācību aprobācijas laikā saņems tiešu intervenci",
                name_en="Children with autism receiving direct intervention during the approbation",
                unit_lv="bērni",
                unit_en="children",
                target="20",
                rule=TargetRule.AT_LEAST,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
        ],
    ),
    _project(
        "4.4.1.1./015",
        "Terapeitiskie dārzi",
        "Therapeutic gardens",
        AKA,
        "291 160,00",
        [],
    ),
    _project(
        "4.4.1.1./017",
        "Agrīnās intervences 3 soļu programma. Agrīnā intervence I. – Pirmie soļi, "
        "Agrīnā intervence II. – Mazais gudrinieks, Agrīnā intervence III. – Skolai gatavs.",
        "Early intervention 3-step programme. Early intervention I – First steps, "
        "Early intervention II – Little clever one, Early intervention III – Ready for school.",
        SAIF,
        "293 623,99",
        [
            SeedIndicator(
                code="R1",
                name_lv="Personas, kas pakalpojuma aprobācijas posmā saņems sociālo pakalpojumu",
                name_en="Persons receiving the social service in the approbation stage",
                unit_lv="personas",
                unit_en="persons",
                target="60",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
        ],
    ),
    _project(
        "4.4.1.1./018",
        "MOPD Multisensorais dienas centrs cilvēkiem ar demenci",
        "MOPD multisensory day centre for people with dementia",
        MOPD,
        "299 940,10",
        [],
    ),
    _project(
        "4.4.1.1./019",
        "Multidisciplināra centra izveide bērniem un jauniešiem ar autiskā spektra "
        "traucējumiem, kuriem ir grūtības integrēties klātienes izglītībā",
        "Establishment of a multidisciplinary centre for children and young people with "
        "autism spectrum disorders who have difficulty integrating into in-person education",
        LBAF,
        "299 990,00",
        [
            SeedIndicator(
                code="R1",
                name_lv=(
                    "Mērķa grupas bērni un jaunieši ar autiskā spektra traucējumiem "
                    "vecumā no 7 līdz 24 gadiem"
                ),
                name_en=(
                    "Target-group children and young people with autism spectrum disorders "
                    "aged 7 to 24"
                ),
                unit_lv="bērni un jaunieši",
                unit_en="children and young people",
                target="20",
                rule=TargetRule.EXACTLY,
                vocabulary=IndicatorVocabulary.PROJECT,
            ),
        ],
    ),
]
