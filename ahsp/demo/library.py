"""A small, hand-written reference library for demos and first runs (loaded by `manage.py seed_demo`).

It is NOT read from the SNI workbook in shared/data/ (that file is never copied into the repository).
The coefficients are the widely used ones of the SNI 2008 unit-price analyses for building works, as
republished in Permen PUPR 28/2016; the 2025 edition changed many labour coefficients, so a real project
should use the imported SNI library. Analyses whose coefficients are only estimates for the demo are
marked `needs_review` (shown as "perlu diperiksa") and say so in their notes.

Codes: resources use the SNI prefixes (TK. labour in OH, B. material, PR. equipment) in a 9xxx range the
SNI workbook does not use, so the demo never overwrites an imported resource; analyses use `DEMO.x.y`, so
they never collide with SNI codes either. Coefficients are strings, turned into Decimal when loaded.
"""

from dataclasses import dataclass

SOURCE = "Demo (contoh SNI)"

LABOUR = "labour"
MATERIAL = "material"
EQUIPMENT = "equipment"

# Code prefix -> resource category (values of ahsp.models.ResourceCategory).
CATEGORY_BY_PREFIX = {"TK.": LABOUR, "B.": MATERIAL, "PR.": EQUIPMENT}
LABOUR_UNIT = "OH"


@dataclass(frozen=True)
class DemoResource:
    code: str
    name: str
    unit: str
    category: str


@dataclass(frozen=True)
class DemoComponent:
    """One line of an analysis: a resource code, or (nested=True) the code of another demo analysis."""

    code: str
    coefficient: str
    nested: bool = False


@dataclass(frozen=True)
class DemoAnalysis:
    code: str
    name: str
    unit: str
    components: tuple[DemoComponent, ...]
    notes: str = ""
    needs_review: bool = False


class DemoDataError(ValueError):
    pass


def r(code: str, coefficient: str) -> DemoComponent:
    return DemoComponent(code=code, coefficient=coefficient)


def nested(code: str, coefficient: str) -> DemoComponent:
    return DemoComponent(code=code, coefficient=coefficient, nested=True)


RESOURCES: tuple[DemoResource, ...] = (
    # Tenaga kerja
    DemoResource("TK.9001", "Pekerja", "OH", LABOUR),
    DemoResource("TK.9002", "Tukang batu", "OH", LABOUR),
    DemoResource("TK.9003", "Tukang kayu", "OH", LABOUR),
    DemoResource("TK.9004", "Tukang besi", "OH", LABOUR),
    DemoResource("TK.9005", "Tukang cat", "OH", LABOUR),
    DemoResource("TK.9006", "Tukang listrik", "OH", LABOUR),
    DemoResource("TK.9007", "Kepala tukang", "OH", LABOUR),
    DemoResource("TK.9008", "Mandor", "OH", LABOUR),
    # Bahan
    DemoResource("B.9001", "Semen portland", "kg", MATERIAL),
    DemoResource("B.9002", "Pasir pasang", "m3", MATERIAL),
    DemoResource("B.9003", "Pasir beton", "kg", MATERIAL),
    DemoResource("B.9004", "Kerikil (maksimum 30 mm)", "kg", MATERIAL),
    DemoResource("B.9005", "Air", "liter", MATERIAL),
    DemoResource("B.9006", "Pasir urug", "m3", MATERIAL),
    DemoResource("B.9007", "Batu belah", "m3", MATERIAL),
    DemoResource("B.9008", "Bata merah", "buah", MATERIAL),
    DemoResource("B.9009", "Besi beton polos/ulir", "kg", MATERIAL),
    DemoResource("B.9010", "Kawat beton", "kg", MATERIAL),
    DemoResource("B.9011", "Kayu kelas III (kaso 5/7 cm)", "m3", MATERIAL),
    DemoResource("B.9012", "Kayu kelas III (papan 3/20 cm)", "m3", MATERIAL),
    DemoResource("B.9013", "Kayu kelas III", "m3", MATERIAL),
    DemoResource("B.9014", "Balok kayu kelas II", "m3", MATERIAL),
    DemoResource("B.9015", "Paku biasa 5–12 cm", "kg", MATERIAL),
    DemoResource("B.9016", "Minyak bekisting", "liter", MATERIAL),
    DemoResource("B.9017", "Plywood tebal 9 mm", "lembar", MATERIAL),
    DemoResource("B.9018", "Dolken kayu galam (8–10) cm panjang 4 m", "batang", MATERIAL),
    DemoResource("B.9019", "Keramik 30x30 cm", "buah", MATERIAL),
    DemoResource("B.9020", "Semen warna", "kg", MATERIAL),
    DemoResource("B.9021", "Plamur tembok", "kg", MATERIAL),
    DemoResource("B.9022", "Cat dasar tembok", "kg", MATERIAL),
    DemoResource("B.9023", "Cat tembok (penutup)", "kg", MATERIAL),
    DemoResource("B.9024", "Gipsum board 9 mm (120x240 cm)", "lembar", MATERIAL),
    DemoResource("B.9025", "Paku sekrup", "kg", MATERIAL),
    DemoResource("B.9026", "Hollow galvalum 40x40 mm panjang 4 m", "batang", MATERIAL),
    DemoResource("B.9027", "Hollow galvalum 20x40 mm panjang 4 m", "batang", MATERIAL),
    DemoResource("B.9028", "Sekrup baja ringan", "buah", MATERIAL),
    DemoResource("B.9029", "Kompon dan kertas tape gipsum", "kg", MATERIAL),
    DemoResource("B.9030", "Profil kanal C75 tebal 0,75 mm panjang 6 m", "batang", MATERIAL),
    DemoResource("B.9031", "Profil reng R30 tebal 0,45 mm panjang 6 m", "batang", MATERIAL),
    DemoResource("B.9032", "Genteng metal pasir (80x77 cm)", "lembar", MATERIAL),
    DemoResource("B.9033", "Sekrup atap genteng metal", "buah", MATERIAL),
    DemoResource("B.9034", "Kabel NYM 2x1,5 mm²", "m", MATERIAL),
    DemoResource("B.9035", "Pipa PVC conduit 20 mm panjang 4 m", "batang", MATERIAL),
    DemoResource("B.9036", "T-dus PVC", "buah", MATERIAL),
    DemoResource("B.9037", "Klem pipa 20 mm", "buah", MATERIAL),
    DemoResource("B.9038", "Kloset duduk (monoblok)", "buah", MATERIAL),
    # Peralatan
    DemoResource("PR.9001", "Bor listrik", "hari", EQUIPMENT),
)

# Short names for the labour lines every analysis repeats.
PEKERJA, TUKANG_BATU, TUKANG_KAYU, TUKANG_BESI = "TK.9001", "TK.9002", "TK.9003", "TK.9004"
TUKANG_CAT, TUKANG_LISTRIK, KEPALA_TUKANG, MANDOR = "TK.9005", "TK.9006", "TK.9007", "TK.9008"

ESTIMATE_NOTE = "Koefisien perkiraan untuk demo, bukan dari tabel SNI; periksa sebelum dipakai."

ANALYSES: tuple[DemoAnalysis, ...] = (
    # 1. Pekerjaan persiapan
    DemoAnalysis(
        "DEMO.1.1",
        "Pembersihan 1 m2 lapangan dan perataan",
        "m2",
        (r(PEKERJA, "0.100"), r(MANDOR, "0.050")),
    ),
    DemoAnalysis(
        "DEMO.1.2",
        "Pengukuran dan pemasangan 1 m' bouwplank",
        "m'",
        (
            r(PEKERJA, "0.100"),
            r(TUKANG_KAYU, "0.100"),
            r(KEPALA_TUKANG, "0.010"),
            r(MANDOR, "0.005"),
            r("B.9011", "0.012"),
            r("B.9015", "0.020"),
            r("B.9012", "0.007"),
        ),
    ),
    # 2. Pekerjaan tanah
    DemoAnalysis(
        "DEMO.2.1",
        "Galian 1 m3 tanah biasa sedalam s.d. 1 m",
        "m3",
        (r(PEKERJA, "0.750"), r(MANDOR, "0.025")),
    ),
    DemoAnalysis(
        "DEMO.2.2",
        "Urugan kembali 1 m3 galian tanah",
        "m3",
        (r(PEKERJA, "0.250"), r(MANDOR, "0.0083")),
    ),
    DemoAnalysis(
        "DEMO.2.3",
        "Urugan 1 m3 pasir dan pemadatan sebagai bahan pengisi",
        "m3",
        (r(PEKERJA, "0.300"), r(MANDOR, "0.010"), r("B.9006", "1.200")),
    ),
    # 3. Pekerjaan pondasi dan beton
    DemoAnalysis(
        "DEMO.3.1",
        "Pasangan 1 m3 pondasi batu belah campuran 1SP:4PP",
        "m3",
        (
            r(PEKERJA, "1.500"),
            r(TUKANG_BATU, "0.750"),
            r(KEPALA_TUKANG, "0.075"),
            r(MANDOR, "0.075"),
            r("B.9007", "1.200"),
            r("B.9001", "163.000"),
            r("B.9002", "0.520"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.2",
        "Pembuatan 1 m3 beton rabat / lantai kerja mutu fc' 7,4 MPa (K-100) manual",
        "m3",
        (
            r(PEKERJA, "1.650"),
            r(TUKANG_BATU, "0.275"),
            r(KEPALA_TUKANG, "0.028"),
            r(MANDOR, "0.083"),
            r("B.9001", "247.000"),
            r("B.9003", "869.000"),
            r("B.9004", "999.000"),
            r("B.9005", "215.000"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.3",
        "Pembuatan 1 m3 beton mutu fc' 19,3 MPa (K-225) manual",
        "m3",
        (
            r(PEKERJA, "1.650"),
            r(TUKANG_BATU, "0.275"),
            r(KEPALA_TUKANG, "0.028"),
            r(MANDOR, "0.083"),
            r("B.9001", "371.000"),
            r("B.9003", "698.000"),
            r("B.9004", "1047.000"),
            r("B.9005", "215.000"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.4",
        "Pembesian 1 kg dengan besi polos atau ulir",
        "kg",
        (
            r(PEKERJA, "0.007"),
            r(TUKANG_BESI, "0.007"),
            r(KEPALA_TUKANG, "0.0007"),
            r(MANDOR, "0.0004"),
            r("B.9009", "1.050"),
            r("B.9010", "0.015"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.5",
        "Pemasangan 1 m2 bekisting untuk pondasi",
        "m2",
        (
            r(PEKERJA, "0.520"),
            r(TUKANG_KAYU, "0.260"),
            r(KEPALA_TUKANG, "0.026"),
            r(MANDOR, "0.026"),
            r("B.9013", "0.040"),
            r("B.9015", "0.300"),
            r("B.9016", "0.100"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.6",
        "Pemasangan 1 m2 bekisting untuk lantai",
        "m2",
        (
            r(PEKERJA, "0.660"),
            r(TUKANG_KAYU, "0.330"),
            r(KEPALA_TUKANG, "0.033"),
            r(MANDOR, "0.033"),
            r("B.9013", "0.040"),
            r("B.9015", "0.400"),
            r("B.9016", "0.200"),
            r("B.9014", "0.015"),
            r("B.9017", "0.350"),
            r("B.9018", "6.000"),
        ),
    ),
    DemoAnalysis(
        "DEMO.3.7",
        "Pembuatan 1 m2 plat lantai beton bertulang tebal 12 cm (K-225, besi 150 kg/m3, bekisting)",
        "m2",
        (
            nested("DEMO.3.3", "0.120"),
            nested("DEMO.3.4", "18.000"),
            nested("DEMO.3.6", "1.000"),
        ),
        notes=(
            "Analisa bertingkat contoh: 0,12 m3 beton K-225, pembesian 150 kg/m3 x 0,12 m3 = 18 kg, "
            "dan 1 m2 bekisting lantai."
        ),
    ),
    # 4. Pekerjaan dinding
    DemoAnalysis(
        "DEMO.4.1",
        "Pasangan 1 m2 dinding bata merah tebal 1/2 bata campuran 1SP:4PP",
        "m2",
        (
            r(PEKERJA, "0.300"),
            r(TUKANG_BATU, "0.100"),
            r(KEPALA_TUKANG, "0.010"),
            r(MANDOR, "0.015"),
            r("B.9008", "70.000"),
            r("B.9001", "11.500"),
            r("B.9002", "0.043"),
        ),
    ),
    DemoAnalysis(
        "DEMO.4.2",
        "Plesteran 1 m2 campuran 1SP:4PP tebal 15 mm",
        "m2",
        (
            r(PEKERJA, "0.300"),
            r(TUKANG_BATU, "0.150"),
            r(KEPALA_TUKANG, "0.015"),
            r(MANDOR, "0.015"),
            r("B.9001", "6.240"),
            r("B.9002", "0.024"),
        ),
    ),
    DemoAnalysis(
        "DEMO.4.3",
        "Acian 1 m2 dinding",
        "m2",
        (
            r(PEKERJA, "0.200"),
            r(TUKANG_BATU, "0.100"),
            r(KEPALA_TUKANG, "0.010"),
            r(MANDOR, "0.010"),
            r("B.9001", "3.250"),
        ),
    ),
    # 5. Pekerjaan lantai
    DemoAnalysis(
        "DEMO.5.1",
        "Pemasangan 1 m2 lantai keramik ukuran 30x30 cm",
        "m2",
        (
            r(PEKERJA, "0.700"),
            r(TUKANG_BATU, "0.350"),
            r(KEPALA_TUKANG, "0.035"),
            r(MANDOR, "0.035"),
            r("B.9019", "11.870"),
            r("B.9001", "10.000"),
            r("B.9002", "0.045"),
            r("B.9020", "1.500"),
        ),
    ),
    # 6. Pekerjaan atap
    DemoAnalysis(
        "DEMO.6.1",
        "Pemasangan 1 m2 rangka atap baja ringan profil C75",
        "m2",
        (
            r(PEKERJA, "0.100"),
            r(TUKANG_BESI, "0.100"),
            r(KEPALA_TUKANG, "0.010"),
            r(MANDOR, "0.005"),
            r("B.9030", "0.700"),
            r("B.9031", "0.600"),
            r("B.9028", "20.000"),
            r("PR.9001", "0.025"),
        ),
        notes=ESTIMATE_NOTE,
        needs_review=True,
    ),
    DemoAnalysis(
        "DEMO.6.2",
        "Pemasangan 1 m2 penutup atap genteng metal",
        "m2",
        (
            r(PEKERJA, "0.060"),
            r(TUKANG_KAYU, "0.060"),
            r(KEPALA_TUKANG, "0.006"),
            r(MANDOR, "0.003"),
            r("B.9032", "2.200"),
            r("B.9033", "10.000"),
        ),
        notes=ESTIMATE_NOTE,
        needs_review=True,
    ),
    # 7. Pekerjaan plafon
    DemoAnalysis(
        "DEMO.7.1",
        "Pemasangan 1 m2 rangka plafon hollow galvalum 40x40 dan 20x40 mm",
        "m2",
        (
            r(PEKERJA, "0.100"),
            r(TUKANG_KAYU, "0.100"),
            r(KEPALA_TUKANG, "0.010"),
            r(MANDOR, "0.005"),
            r("B.9026", "0.275"),
            r("B.9027", "0.550"),
            r("B.9028", "8.000"),
        ),
        notes=ESTIMATE_NOTE,
        needs_review=True,
    ),
    DemoAnalysis(
        "DEMO.7.2",
        "Pemasangan 1 m2 penutup plafon gipsum board tebal 9 mm",
        "m2",
        (
            r(PEKERJA, "0.100"),
            r(TUKANG_KAYU, "0.050"),
            r(KEPALA_TUKANG, "0.005"),
            r(MANDOR, "0.005"),
            r("B.9024", "0.364"),
            r("B.9025", "0.110"),
        ),
    ),
    DemoAnalysis(
        "DEMO.7.3",
        "Pemasangan 1 m2 plafon gipsum 9 mm dengan rangka hollow",
        "m2",
        (
            r("B.9029", "0.300"),
            nested("DEMO.7.1", "1.000"),
            nested("DEMO.7.2", "1.000"),
        ),
        notes="Analisa bertingkat: rangka hollow (perkiraan) + penutup gipsum. " + ESTIMATE_NOTE,
        needs_review=True,
    ),
    # 8. Pekerjaan pengecatan
    DemoAnalysis(
        "DEMO.8.1",
        "Pengecatan 1 m2 tembok baru (1 lapis plamur, 1 lapis cat dasar, 2 lapis cat penutup)",
        "m2",
        (
            r(PEKERJA, "0.020"),
            r(TUKANG_CAT, "0.063"),
            r(KEPALA_TUKANG, "0.0063"),
            r(MANDOR, "0.0025"),
            r("B.9021", "0.100"),
            r("B.9022", "0.100"),
            r("B.9023", "0.260"),
        ),
    ),
    # 9. Pekerjaan mekanikal, elektrikal dan plambing
    DemoAnalysis(
        "DEMO.9.1",
        "Pemasangan 1 titik instalasi lampu (kabel NYM 2x1,5 mm² dalam pipa PVC 20 mm)",
        "titik",
        (
            r(PEKERJA, "0.100"),
            r(TUKANG_LISTRIK, "0.200"),
            r(KEPALA_TUKANG, "0.020"),
            r(MANDOR, "0.005"),
            r("B.9034", "10.000"),
            r("B.9035", "2.500"),
            r("B.9036", "1.000"),
            r("B.9037", "8.000"),
        ),
        notes=ESTIMATE_NOTE,
        needs_review=True,
    ),
    DemoAnalysis(
        "DEMO.9.2",
        "Pemasangan 1 buah kloset duduk (monoblok)",
        "buah",
        (
            r(PEKERJA, "3.300"),
            r(TUKANG_BATU, "1.100"),
            r(KEPALA_TUKANG, "0.110"),
            r(MANDOR, "0.160"),
            r("B.9038", "1.000"),
        ),
        notes="Perlengkapan kloset (6% dari harga kloset) tidak dimasukkan sebagai komponen.",
    ),
)


def resources_by_code() -> dict[str, DemoResource]:
    return {resource.code: resource for resource in RESOURCES}


def analyses_by_code() -> dict[str, DemoAnalysis]:
    return {analysis.code: analysis for analysis in ANALYSES}


def component_unit(component: DemoComponent) -> str:
    """The unit of a component line: the resource's unit, or the nested analysis's own unit."""
    if component.nested:
        return analyses_by_code()[component.code].unit
    return resources_by_code()[component.code].unit


def nesting_order(analyses: tuple[DemoAnalysis, ...] = ANALYSES) -> list[str]:
    """Analysis codes ordered so that every nested analysis comes before the analyses using it.

    Raises DemoDataError for a nested code that is not in the set, or for a cycle (naming its path).
    """
    by_code = {analysis.code: analysis for analysis in analyses}
    order: list[str] = []
    state: dict[str, str] = {}  # code -> "visiting" | "done"

    def visit(code: str, path: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            cycle = " -> ".join([*path[path.index(code) :], code])
            raise DemoDataError(f"Analisa bertingkat melingkar: {cycle}")
        state[code] = "visiting"
        for component in by_code[code].components:
            if not component.nested:
                continue
            if component.code not in by_code:
                raise DemoDataError(f"{code} memakai analisa {component.code} yang tidak ada.")
            visit(component.code, [*path, code])
        state[code] = "done"
        order.append(code)

    for analysis in analyses:
        visit(analysis.code, [])
    return order
