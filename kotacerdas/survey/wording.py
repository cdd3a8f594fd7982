# ruff: noqa: E501  (the translation table keeps each statement on one line, to compare with the instrument)
"""How the instrument's Impact questions read to a citizen, in Indonesian and English.

The instrument words them for the evaluator ("Based on a survey of 50 respondents, what is the average
score of <statement>?"); a respondent rates the statement itself. English wording is keyed by the
Indonesian statement, so a changed question in a later instrument falls back to its Indonesian text
rather than to a wrong translation.
"""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_EVALUATOR_PREFIX = re.compile(
    r"^\s*Berdasarkan hasil survey terhadap \d+ responden pengguna layanan,\s*berapa rata-rata nilai\s+", re.I
)

SCALE = {
    1: _("Sangat tidak setuju"),
    2: _("Tidak setuju"),
    3: _("Setuju"),
    4: _("Sangat setuju"),
}

DIMENSION_TOPIC = {
    "smart_governance": _("Tata kelola pemerintahan dan layanan publik"),
    "smart_branding": _("Citra dan promosi daerah"),
    "smart_economy": _("Ekonomi daerah"),
    "smart_living": _("Kualitas hidup"),
    "smart_society": _("Masyarakat"),
    "smart_environment": _("Lingkungan"),
}

_ENGLISH = {
    "layanan/program dapat diakses secara daring/online": "The service/programme can be used online",
    "layanan/program dilaksanakan secara transparan dan prosedur yang jelas": "The service/programme is run transparently, with clear procedures",
    "kualitas layanan/program menjadi lebih cepat dan murah": "The service/programme has become faster and cheaper",
    "masyarakat dilibatkan dalam perumusan kebijakan untuk mendukung layanan/program": "Citizens are involved in making the policies behind the service/programme",
    "fasilitas/mekanisme/kanal/ruang untuk memberikan masukan guna perbaikan kebijakan/layanan/program sudah tersedia": "There is a way (facility, channel, forum) to give feedback to improve the policy, service or programme",
    "masukan dari masyarakat terkait kebijakan/layanan/program telah direspon sesuai standar waktu yang ditentukan": "Citizens' feedback on the policy, service or programme is answered within the promised time",
    "terdapat keterbukaan informasi tentang program dan seluruh aktivitas pemerintah daerah": "Information about the programme and all the local government's activities is open",
    "informasi dan data pemerintah daerah dapat diakses melalui satu kanal yang sudah terintegrasi": "The local government's information and data can be reached through one integrated channel",
    "data dan informasi yang disampaikan oleh pemerintah daerah sudah memenuhi kebutuhan masyarakat/ pelaku usaha/akademisi/komunitas lainnya": "The data and information the local government publishes meet the needs of citizens, businesses, academics and communities",
    "kota/kabupaten saya memiliki destinasi/atraksi pariwisata yang menarik dan didukung sarana prasarana yang memadai bagi pengunjung": "My city/regency has attractive tourist destinations with adequate facilities for visitors",
    "informasi dan promosi destinasi/atraksi pariwisata secara daring sudah tersedia": "Information on and promotion of tourist destinations are available online",
    "layanan rekreasi dan fasilitas budaya dapat dipesan secara daring": "Recreation services and cultural facilities can be booked online",
    "profil dan potensi investasi daerah yang terpadu secara online/daring sudah tersedia": "An integrated online profile of the region and its investment potential is available",
    "Pemerintah Daerah menyediakan berbagai program insentif untuk kemudahan berusaha/peningkatan iklim investasi": "The local government offers incentive programmes that make doing business and investing easier",
    "komunitas/kegiatan kreatif dalam mendukung perekonomian masyarakat lokal sudah tersedia": "Creative communities and activities support the local economy",
    "Pemerintah Daerah melakukan revitalisasi wajah kota (monumen, gapura, batas kota, taman, koridor jalan utama, dsb) dengan ciri khas daerah": "The local government renews the city's face (monuments, gates, borders, parks, main roads) in the region's own style",
    "Pemerintah Daerah memiliki visualisasi identitas kota (logo/slogan/maskot) yang sesuai dengan ciri khas daerah": "The local government has a visual identity (logo, slogan, mascot) that fits the region's character",
    "visualisasi identitas kota (logo/slogan/maskot) kota/kabupaten saya telah dikenal oleh masyarakat di luar kota/kabupaten": "My city's/regency's visual identity (logo, slogan, mascot) is known outside it",
    "terdapat produk jadi lokal yang dipasarkan ke luar daerah dan ke luar negeri": "Local finished products are sold to other regions and abroad",
    "terdapat komoditas unggulan yang dipasarkan ke luar daerah dan ke luar negeri": "The region's leading commodities are sold to other regions and abroad",
    "pemerintah daerah telah memberikan insentif/pendampingan/program untuk pengembangan industri": "The local government gives incentives, support or programmes to develop industry",
    "bursa tenaga kerja lokal yang dapat diakses secara daring/online sudah tersedia": "A local job market can be used online",
    "program subsidi sekolah, kesehatan, dan pengentasan kemiskinan yang tepat sasaran sudah tersedia": "Well-targeted school, health and poverty-relief subsidy programmes are available",
    "program literasi UMKM Digital sudah tersedia": "A digital literacy programme for small businesses (UMKM) is available",
    "mekanisme pembayaran pajak dan retribusi daerah secara daring/online sudah tersedia": "Local taxes and charges can be paid online",
    "mekanisme pembayaran non-tunai (QRIS, dompet digital, dsb) sudah tersedia": "Cashless payment (QRIS, digital wallets) is available",
    "literasi terkait laporan keuangan dan permodalan bagi pelaku usaha yang memenuhi persyaratan perbankan sudah tersedia": "Businesses can learn financial reporting and how to obtain bank capital",
    "terdapat informasi peruntukan tata ruang yang dapat diakses secara daring/online": "Spatial-planning (land use) information can be looked up online",
    "tempat tinggal saya sudah layak huni (terdapat akses air bersih, jalan raya, bebas banjir, bebas longsor, dsb)": "Where I live is fit to live in (clean water, roads, free of floods and landslides)",
    "sarana dan prasarana publik (ruang terbuka hijau, gelanggang olah raga, akses pejalan kaki, dsb) yang memadai sudah tersedia": "Adequate public facilities (green spaces, sports halls, footpaths) are available",
    "pendaftaran dan informasi layanan kesehatan secara daring/online sudah tersedia": "Health-service registration and information are available online",
    "informasi riwayat kesehatan saya dapat saya akses secara daring/online": "I can see my health records online",
    "layanan telemedicine atau layanan kunjungan kesehatan ke rumah sudah tersedia": "Telemedicine or home health visits are available",
    "seluruh wilayah kabupaten/kota saya memiliki akses internet dan telekomunikasi yang memadai": "All of my regency/city has adequate internet and telecommunication access",
    "infrastruktur pendukung transportasi (ATCS/Penerangan Jalan Umum yang pintar/peta jalan/smart parking, KIR elektronik, dsb) sudah tersedia": "Transport infrastructure (traffic control, smart street lighting, road maps, smart parking, electronic vehicle tests) is available",
    "sarana transportasi publik atau transportasi berbagi pakai (angkot, ojek/mobil online, sepeda berbagi pakai, dsb) yang menjangkau seluruh wilayah kota/kabupaten sudah tersedia": "Public or shared transport (minibuses, ride-hailing, shared bicycles) reaches the whole city/regency",
    "terdapat berbagai komunitas yang siap mendukung literasi digital di masyarakat pada berbagai bidang": "Communities are ready to support digital literacy in many fields",
    "terdapat fasilitas terbuka publik untuk masyarakat dapat saling berinteraksi seperti Ruang Terbuka Hijau, taman, alun-alun dsb": "Open public places where people meet (green spaces, parks, town squares) are available",
    "terdapat fasilitas belajar non formal bagi masyarakat seperti membuat kue, kerajinan, dan produk kreatif lainnya yang bernilai ekonomis": "Non-formal courses (baking, crafts and other creative products with economic value) are available",
    "terdapat akses daring ke pendaftaran serta layanan pendidikan formal (SD, SMP, dan SMA) yang mempermudah kegiatan belajar dan bersifat terbuka/transparan": "School registration and services (primary to senior high) are online, open and make learning easier",
    "terdapat perpustakaan umum yang dilengkapi dengan fasilitas perpustakaan digital (e-library), wifi gratis untuk tempat belajar masyarakat": "Public libraries have a digital library (e-library) and free wifi for learning",
    "terdapat tempat belajar non formal bagi masyarakat yang kurang mampu dan/atau berkebutuhan khusus untuk meningkatkan pengetahuan atau meningkatkan ketrampilan tertentu": "Non-formal learning places help poor people and people with disabilities gain knowledge or skills",
    "terdapat CCTV ditempat rawan dengan penanganan bantuan yang responsif": "CCTV watches unsafe places, and help comes quickly",
    "terdapat aplikasi kegawatdaruratan yang terpadu dengan penanganan yang responsif": "An integrated emergency app exists, and help comes quickly",
    "tindak lanjut dan penanganan kegawatdaruratan terselesaikan dengan cepat": "Emergencies are followed up and resolved quickly",
    "alat pemantauan dan pengendalian kualitas udara/air/tanah/hutan sudah tersedia": "Air, water, soil and forest quality are monitored and controlled",
    "terdapat upaya pengurangan pencemaran udara/air/tanah/hutan yang dikelola secara terpadu": "Pollution of air, water, soil and forests is reduced in a coordinated way",
    "telah terjadi perbaikan kualitas udara/air/tanah/hutan": "Air, water, soil and forest quality has improved",
    "fasilitas pengelolaan dan pengolahan sampah/limbah secara terpadu sudah tersedia": "Integrated facilities for handling and processing waste are available",
    "pelaksanaan circular economy (ekonomi sirkular) di bidang pengelolaan sampah dan limbah yang telah berkolaborasi antara bank sampah dengan pihak swasta telah berjalan": "A circular economy for waste, with waste banks working with private firms, is running",
    "terdapat kesadaran pengelolaan sampah dengan prinsip 3R (Reuse, Reduce, dan Recycle) dimulai dari rumah tangga, lingkungan RT/RW dst": "People sort waste by the 3Rs (reuse, reduce, recycle), starting at home and in the neighbourhood",
    "ketersediaan listrik di lingkungan RT/RW saya telah terpenuhi dan kejadian padam listrik di lingkungan RT/RW saya tidak pernah/semakin berkurang": "My neighbourhood has enough electricity, and power cuts never happen or are rarer",
    "terdapat program penggunaan energi baru terbarukan (EBT) seperti panel tenaga surya (solar cell), tenaga angin, tenaga air mikro (micro hydro)": "There are renewable-energy programmes (solar panels, wind, micro-hydro)",
    "terdapat sumber energi baru yang berasal dari hasil pengelolaan sampah/limbah": "Energy is produced from processed waste",
}

_SUB_DIMENSION_EN = {
    "Layanan Publik": "Public services",
    "Kebijakan Publik": "Public policy",
    "Tata Kelola Birokrasi": "Bureaucratic governance",
    "Membangun dan Memasarkan Ekosistem Pariwisata": "Tourism branding",
    "Membangun platform dan Memasarkan Ekosistem Bisnis Daerah": "Business branding",
    "Membangun dan Memasarkan Wajah Kota": "City appearance",
    "Ekosistem Industri yang Berdaya Saing": "Competitive industry",
    "Kesejahteraan Rakyat": "Welfare",
    "Ekosistem Transaksi Keuangan": "Financial transactions",
    "Harmonisasi Tata Ruang Wilayah": "Spatial harmony",
    "Prasarana Kesehatan": "Health",
    "Ketersediaan Sarana Telekomunikasi dan Transportasi": "Telecommunication and transport",
    "Interaksi Masyarakat Yang Efisien": "Community",
    "Ekosistem Belajar Yang Efisien": "Education",
    "Sistem Keamanan Masyarakat": "Public safety",
    "Program Proteksi Lingkungan": "Environmental protection",
    "Tata Kelola Sampah dan Limbah": "Waste",
    "Tata Kelola Energi yang Bertanggungjawab": "Energy",
}


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def statement(question_text: str) -> str:
    """The statement a respondent rates, in the active language."""
    core = _EVALUATOR_PREFIX.sub("", question_text).strip().rstrip("?").strip()
    if _english() and core in _ENGLISH:
        return _ENGLISH[core] + "."
    return (core[:1].upper() + core[1:] + ".") if core else question_text


def sub_dimension(name: str) -> str:
    """``Layanan Publik (layanan yang …)`` → ``Layanan Publik`` (or its English name)."""
    short = name.split(" (")[0].strip()
    return _SUB_DIMENSION_EN.get(short, short) if _english() else short
