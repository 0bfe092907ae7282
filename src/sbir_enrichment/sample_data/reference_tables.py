"""Hand-written tables of real-world facts the generator draws from (places, agencies, words).

Firm-name tokens, suffixes, states, years and amounts come from ``vocabulary.json`` instead,
which is derived from real award lists by ``scripts/derive_vocabulary.py``.
"""

from __future__ import annotations

# State → (lowest ZIP3, highest ZIP3, a few real cities of that state).
STATE_PLACES: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "AL": (350, 369, ("Birmingham", "Huntsville", "Mobile")),
    "AK": (995, 999, ("Anchorage", "Fairbanks", "Juneau")),
    "AZ": (850, 865, ("Phoenix", "Tucson", "Tempe")),
    "AR": (716, 729, ("Little Rock", "Fayetteville", "Conway")),
    "CA": (900, 961, ("Los Angeles", "San Diego", "San Jose", "Sunnyvale", "Pasadena", "Irvine")),
    "CO": (800, 816, ("Denver", "Boulder", "Colorado Springs")),
    "CT": (60, 69, ("Hartford", "New Haven", "Stamford")),
    "DE": (197, 199, ("Wilmington", "Newark", "Dover")),
    "DC": (200, 205, ("Washington",)),
    "FL": (320, 349, ("Orlando", "Tampa", "Miami")),
    "GA": (300, 319, ("Atlanta", "Marietta", "Savannah")),
    "HI": (967, 968, ("Honolulu", "Hilo", "Kailua")),
    "ID": (832, 838, ("Boise", "Idaho Falls", "Moscow")),
    "IL": (600, 629, ("Chicago", "Champaign", "Naperville")),
    "IN": (460, 479, ("Indianapolis", "West Lafayette", "Bloomington")),
    "IA": (500, 528, ("Ames", "Iowa City", "Des Moines")),
    "KS": (660, 679, ("Lawrence", "Wichita", "Overland Park")),
    "KY": (400, 427, ("Lexington", "Louisville", "Bowling Green")),
    "LA": (700, 714, ("Baton Rouge", "New Orleans", "Lafayette")),
    "ME": (39, 49, ("Portland", "Bangor", "Orono")),
    "MD": (206, 219, ("Columbia", "Rockville", "Baltimore", "Gaithersburg")),
    "MA": (10, 27, ("Boston", "Cambridge", "Woburn", "Worcester")),
    "MI": (480, 499, ("Ann Arbor", "Detroit", "Grand Rapids")),
    "MN": (550, 567, ("Minneapolis", "Saint Paul", "Rochester")),
    "MS": (386, 397, ("Jackson", "Starkville", "Hattiesburg")),
    "MO": (630, 658, ("Saint Louis", "Kansas City", "Columbia")),
    "MT": (590, 599, ("Bozeman", "Missoula", "Billings")),
    "NE": (680, 693, ("Lincoln", "Omaha", "Kearney")),
    "NV": (889, 898, ("Las Vegas", "Reno", "Henderson")),
    "NH": (30, 38, ("Nashua", "Manchester", "Lebanon")),
    "NJ": (70, 89, ("Princeton", "Newark", "Piscataway")),
    "NM": (870, 884, ("Albuquerque", "Santa Fe", "Las Cruces")),
    "NY": (100, 149, ("New York", "Rochester", "Brooklyn", "Buffalo")),
    "NC": (270, 289, ("Durham", "Raleigh", "Charlotte")),
    "ND": (580, 588, ("Fargo", "Grand Forks", "Bismarck")),
    "OH": (430, 459, ("Columbus", "Dayton", "Cleveland", "Cincinnati")),
    "OK": (730, 749, ("Oklahoma City", "Tulsa", "Norman")),
    "OR": (970, 979, ("Portland", "Eugene", "Corvallis")),
    "PA": (150, 196, ("Pittsburgh", "Philadelphia", "State College")),
    "RI": (28, 29, ("Providence", "Newport", "Warwick")),
    "SC": (290, 299, ("Columbia", "Charleston", "Greenville")),
    "SD": (570, 577, ("Sioux Falls", "Rapid City", "Brookings")),
    "TN": (370, 385, ("Knoxville", "Nashville", "Oak Ridge")),
    "TX": (750, 799, ("Austin", "Houston", "Dallas", "San Antonio")),
    "UT": (840, 847, ("Salt Lake City", "Provo", "Logan")),
    "VT": (50, 59, ("Burlington", "Montpelier", "Williston")),
    "VA": (220, 246, ("Arlington", "Reston", "Charlottesville", "Blacksburg")),
    "WA": (980, 994, ("Seattle", "Redmond", "Bellevue", "Spokane")),
    "WV": (247, 268, ("Morgantown", "Charleston", "Fairmont")),
    "WI": (530, 549, ("Madison", "Milwaukee", "Green Bay")),
    "WY": (820, 831, ("Laramie", "Cheyenne", "Casper")),
    "PR": (6, 9, ("San Juan", "Mayaguez", "Ponce")),
}

# Agency → (share of all SBIR/STTR awards, {branch: share within the agency}); approximate
# shares of SBIR.gov's award counts since 1983. An empty branch name means the column is blank.
AGENCIES: dict[str, tuple[float, dict[str, float]]] = {
    "DOD": (0.50, {"Air Force": 0.38, "Navy": 0.25, "Army": 0.16,
                   "Defense Advanced Research Projects Agency": 0.06,
                   "Missile Defense Agency": 0.06, "Special Operations Command": 0.03,
                   "Defense Health Agency": 0.03, "Defense Threat Reduction Agency": 0.03}),
    "HHS": (0.21, {"National Institutes of Health": 0.93,
                   "Centers for Disease Control and Prevention": 0.04,
                   "Food and Drug Administration": 0.03}),
    "NASA": (0.08, {"": 1.0}),
    "DOE": (0.07, {"": 1.0}),
    "NSF": (0.07, {"": 1.0}),
    "USDA": (0.025, {"": 1.0}),
    "DOC": (0.015, {"National Oceanic and Atmospheric Administration": 0.6,
                    "National Institute of Standards and Technology": 0.4}),
    "ED": (0.01, {"": 1.0}),
    "EPA": (0.008, {"": 1.0}),
    "DHS": (0.008, {"": 1.0}),
    "DOT": (0.004, {"": 1.0}),
}

# Contract-number prefix per agency (or DOD branch); digits and year are appended.
CONTRACT_PREFIXES: dict[str, str] = {
    "Air Force": "FA8650", "Navy": "N68335", "Army": "W911NF",
    "Defense Advanced Research Projects Agency": "HR0011", "Missile Defense Agency": "HQ0860",
    "Special Operations Command": "H92401", "Defense Health Agency": "W81XWH",
    "Defense Threat Reduction Agency": "HDTRA1", "NASA": "80NSSC", "DOE": "DE-SC00",
    "USDA": "2020-33610-", "DOC": "1333ND", "ED": "91990020C", "EPA": "68HERC", "DHS": "70RSAT",
    "DOT": "6913G6",
}

# Topic-code prefix per DOD branch or agency (``AF191-012``).
TOPIC_PREFIXES: dict[str, str] = {
    "Air Force": "AF", "Navy": "N", "Army": "A", "Defense Advanced Research Projects Agency": "HR",
    "Missile Defense Agency": "MDA", "Special Operations Command": "SOCOM",
    "Defense Health Agency": "DHA", "Defense Threat Reduction Agency": "DTRA", "HHS": "NIH",
}

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Wei", "Priya", "Mohammed", "Ana", "Hiroshi", "Olga", "Carlos", "Mei",
    "Rajesh", "Fatima", "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Helen",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Chen", "Wang", "Patel",
    "Kim", "Nguyen", "Singh", "Kumar", "Cohen", "Murphy", "O'Brien", "Sullivan", "Fischer",
)
CONTACT_TITLES: tuple[str, ...] = (
    "President", "CEO", "Chief Executive Officer", "CTO", "Vice President", "Director",
    "Owner", "Managing Member", "Contracts Manager",
)
PI_TITLES: tuple[str, ...] = (
    "Principal Scientist", "Senior Engineer", "Research Scientist", "CTO", "President",
    "Chief Scientist", "Program Manager", "Senior Research Engineer", "Director of Research",
)
RESEARCH_INSTITUTIONS: tuple[str, ...] = (
    "Massachusetts Institute of Technology", "University of Michigan", "Georgia Tech Research Corp",
    "University of California, San Diego", "Stanford University", "Purdue University",
    "University of Colorado Boulder", "Johns Hopkins University", "Texas A&M University",
    "Pennsylvania State University", "University of Washington", "Ohio State University",
)

# Words for award titles and abstracts.
TITLE_ADJECTIVES: tuple[str, ...] = (
    "Low-Cost", "High-Throughput", "Compact", "Autonomous", "Scalable", "Rapid", "Portable",
    "Novel", "Adaptive", "Ultra-Low Power", "Robust", "Multi-Modal", "Real-Time", "Lightweight",
    "High-Efficiency", "Point-of-Care", "Secure", "Distributed", "Additively Manufactured",
)
TITLE_NOUNS: tuple[str, ...] = (
    "Sensor", "Imaging System", "Battery", "Antenna", "Biomarker Assay", "Vaccine Platform",
    "Laser", "Composite Structure", "Catalyst", "Drone Swarm", "Machine Learning Framework",
    "Photonic Integrated Circuit", "Radiation Detector", "Fuel Cell", "Wound Dressing",
    "Quantum Memory", "Thermal Barrier Coating", "Cyber Defense Tool", "Microfluidic Chip",
    "Power Converter", "Hyperspectral Camera", "Gene Therapy", "Water Purification Membrane",
)
TITLE_PURPOSES: tuple[str, ...] = (
    "for Hypersonic Vehicles", "for Early Cancer Detection", "for Space Applications",
    "for Undersea Communication", "for Grid-Scale Storage", "for Precision Agriculture",
    "for Warfighter Health", "for Autonomous Navigation", "for Rural Broadband",
    "for Opioid Use Disorder", "for Contested Environments", "for Carbon Capture",
    "for Structural Health Monitoring", "for Pediatric Patients", "for Small Satellites",
)

# USAspending business-type codes (SAM), drawn into ``business_types_codes`` lists.
BUSINESS_TYPE_CODES: tuple[str, ...] = (
    "2X", "8W", "A2", "HQ", "XS", "8E", "LJ", "VW", "A8", "2U", "27", "23", "A5", "QF", "8C",
    "XX", "MF", "OY", "PI", "JT",
)
RECIPIENT_SOURCES: tuple[str, ...] = ("sam", "fpds", "fabs", "duns")
STREET_NAMES: tuple[str, ...] = (
    "MAIN ST", "TECHNOLOGY DR", "RESEARCH BLVD", "INNOVATION WAY", "COMMERCE CT", "OAK AVE",
    "SCIENCE PARK RD", "INDUSTRIAL PKWY", "CENTRE ST", "UNIVERSITY AVE", "WASHINGTON ST",
    "PARK PL", "ENTERPRISE DR", "MILL RD", "HIGHLAND AVE", "LAKE DR", "DISCOVERY DR",
)


# Words an award may add after a firm's core name: a division, a unit, or a country
# (``ACME ROBOTICS DEFENSE DIVISION``, ``ACME ROBOTICS UK``); ``names.extra_words_share``.
EXTRA_WORDS: tuple[str, ...] = (
    "DEFENSE DIVISION", "GOVERNMENT SERVICES", "FEDERAL", "FEDERAL SYSTEMS", "RESEARCH DIVISION",
    "MEDICAL DIVISION", "SPACE DIVISION", "ADVANCED PROGRAMS", "APPLIED RESEARCH LAB",
    "NORTH AMERICA", "USA", "UK", "CANADA", "EUROPE", "AUSTRALIA", "ISRAEL", "INDIA",
)
